derive samples/fc.net --stage chain --wrt w[n-1][1][1]
