vanish samples/fc.net --format pdf
