render samples/fc.net --view pie
