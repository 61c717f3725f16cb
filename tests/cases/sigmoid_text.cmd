derive samples/sigmoid.net --format text
