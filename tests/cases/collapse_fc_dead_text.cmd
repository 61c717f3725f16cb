derive samples/fc_dead.net --collapse --format text --stage act
