count samples/resblock.net
