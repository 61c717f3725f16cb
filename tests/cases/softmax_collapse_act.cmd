derive samples/softmax.net --block classifier --stage act --collapse
