derive samples/attention.net --format text
