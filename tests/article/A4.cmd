derive samples/fc.net --stage local --of x[n][1] --wrt y[n-1][1]
