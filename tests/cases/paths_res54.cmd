paths samples/res54.net --wrt y[0][1]
