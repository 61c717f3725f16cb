derive samples/fc_dead.net --stage act --format text
