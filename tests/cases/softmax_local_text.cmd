derive samples/softmax.net --format text
