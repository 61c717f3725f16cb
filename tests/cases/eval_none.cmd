eval samples/fc.net
