derive samples/fc.net --stage forward --wrt w[n-1][1][1]
