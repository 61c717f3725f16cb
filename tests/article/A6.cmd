derive samples/fc.net --stage act --of y[n][1] --wrt x[n][1]
