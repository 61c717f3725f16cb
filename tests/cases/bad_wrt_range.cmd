derive samples/fc.net --wrt w[n-2][9][1]
