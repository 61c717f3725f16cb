derive samples/sigmoid.net --stage factored --format text
