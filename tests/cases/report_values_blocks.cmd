report samples/softmax.net --values samples/softmax.values
