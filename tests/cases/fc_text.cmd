derive samples/fc.net --format text
