derive samples/softmax.net --block classifier --collapse --format text
