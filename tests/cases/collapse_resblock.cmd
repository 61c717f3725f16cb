derive samples/resblock.net --collapse
