derive samples/fc.net --collapse
