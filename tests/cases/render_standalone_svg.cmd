render samples/fc.net --standalone
