render samples/fc.net --format tikz --standalone
