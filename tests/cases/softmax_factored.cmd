derive samples/softmax.net --block classifier --stage factored --format text
