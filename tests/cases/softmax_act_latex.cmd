derive samples/softmax.net --stage act
