paths samples/fc.net
