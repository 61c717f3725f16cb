derive samples/fc.net --stage act --wrt w[n-1][1][1]
