derive samples/fc.net --format json --stage chain --wrt w[n-2][1][1]
