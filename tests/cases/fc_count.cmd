count samples/fc.net
