derive samples/fc.net --format json
