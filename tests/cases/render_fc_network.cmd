render samples/fc.net --view network
