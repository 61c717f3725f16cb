derive samples/chain.net --collapse --format text --stage act
