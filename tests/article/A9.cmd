derive samples/fc.net --stage act --wrt w[n-2][1][1]
