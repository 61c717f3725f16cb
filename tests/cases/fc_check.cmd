check samples/fc.net
