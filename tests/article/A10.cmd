derive samples/fc.net --stage local --wrt w[n-1][1][1]
