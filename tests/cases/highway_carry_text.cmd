derive samples/highway.net --format text
