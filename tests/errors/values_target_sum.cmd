eval samples/fc.net --values tests/errors/values_target_sum.values
