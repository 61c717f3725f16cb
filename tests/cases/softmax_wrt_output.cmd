derive samples/softmax.net --block classifier --wrt y[out][2] --format text
