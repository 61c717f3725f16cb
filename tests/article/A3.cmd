derive samples/fc.net --stage local --of x[n][1] --wrt w[n-1][1][1]
