derive samples/fc.net --notation za,
