render samples/fc_dead.net
