derive samples/softmax.net --wrt y[in][2] --stage forward --format text
