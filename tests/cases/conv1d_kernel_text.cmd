derive samples/conv1d.net --format text
