render samples/fc.net --wrt w[n-2][1][1] --colors --only-paths --no-labels
