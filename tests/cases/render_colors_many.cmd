render samples/resblock.net --colors
