derive samples/resblock.net --collapse --format text --stage act
