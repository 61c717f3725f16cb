derive samples/olah.net --collapse --format text --stage act
