derive samples/fc.net --collapse --format text --stage act
