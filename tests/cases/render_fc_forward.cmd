render samples/fc.net --node y[n-1][1] --only-paths
