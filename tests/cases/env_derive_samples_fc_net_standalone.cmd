derive samples/fc.net --standalone
