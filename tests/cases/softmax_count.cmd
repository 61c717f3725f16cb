count samples/softmax.net --block classifier
