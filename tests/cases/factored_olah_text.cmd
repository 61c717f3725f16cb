derive samples/olah.net --stage factored --format text
