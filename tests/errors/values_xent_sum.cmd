eval samples/softmax.net --values tests/errors/values_xent_sum.values
