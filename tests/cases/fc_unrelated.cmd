derive samples/fc.net --of x[n-1][1] --wrt y[n][1] --format json
