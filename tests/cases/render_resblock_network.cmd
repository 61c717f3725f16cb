render samples/resblock.net --view network
