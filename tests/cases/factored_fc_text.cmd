derive samples/fc.net --stage factored --format text
