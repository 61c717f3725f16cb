derive samples/fc.net --stage forward --wrt w[n-2][1][1]
