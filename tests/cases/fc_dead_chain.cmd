derive samples/fc_dead.net --stage chain --format text
