derive samples/fc.net --stage factored --format json --wrt w[n-2][1][1]
