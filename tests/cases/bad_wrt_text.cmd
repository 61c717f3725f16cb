derive samples/fc.net --wrt w[n-2][1
