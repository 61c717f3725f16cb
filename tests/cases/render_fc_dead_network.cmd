render samples/fc_dead.net --view network
