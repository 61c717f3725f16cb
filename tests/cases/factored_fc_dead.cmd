derive samples/fc_dead.net --stage factored
