derive samples/fc.net --of y[n][1] --wrt y[n][1]
