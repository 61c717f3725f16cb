derive samples/fc.net --check
