derive samples/res54.net --collapse --format text --stage act
