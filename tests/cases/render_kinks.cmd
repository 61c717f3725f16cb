render samples/kinks.net --wrt b
