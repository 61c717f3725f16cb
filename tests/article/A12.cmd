expand samples/fc.net --node y[n-1][1]
