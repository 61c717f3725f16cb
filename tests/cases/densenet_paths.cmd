paths samples/densenet.net --wrt y[l0][1]
