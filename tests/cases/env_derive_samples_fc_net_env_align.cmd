derive samples/fc.net --env align
