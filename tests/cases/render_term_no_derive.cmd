render samples/fc.net --no-paths --term 1
