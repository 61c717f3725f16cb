derive samples/fc.net --stage local --wrt w[n-2][1][1]
