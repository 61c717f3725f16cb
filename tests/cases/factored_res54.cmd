derive samples/res54.net --stage factored --format text
