count samples/fc.net --wrt y[n-2][3]
