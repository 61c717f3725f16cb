eval samples/softmax.net --values samples/softmax.values --check
