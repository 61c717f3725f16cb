render samples/fc.net --format png
