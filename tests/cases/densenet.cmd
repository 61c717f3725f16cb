derive samples/densenet.net --stage chain --format text
