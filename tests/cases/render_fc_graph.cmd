render samples/fc.net
