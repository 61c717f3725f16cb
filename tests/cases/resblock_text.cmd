derive samples/resblock.net --format text
