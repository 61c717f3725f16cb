render samples/resblock.net
