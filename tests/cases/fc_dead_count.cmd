count samples/fc_dead.net
