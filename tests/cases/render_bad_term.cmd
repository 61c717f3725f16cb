render samples/fc.net --term 0 --wrt y[n][1]
