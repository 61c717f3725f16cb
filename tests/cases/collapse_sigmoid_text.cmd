derive samples/sigmoid.net --collapse --format text --stage act
