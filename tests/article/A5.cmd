derive samples/fc.net --stage chain --wrt w[n-2][1][1]
