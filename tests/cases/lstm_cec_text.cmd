derive samples/lstm.net --format text
