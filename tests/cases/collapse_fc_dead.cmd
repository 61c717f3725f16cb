derive samples/fc_dead.net --collapse
