derive samples/resblock.net --stage factored --format text
