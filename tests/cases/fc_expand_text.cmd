expand samples/fc.net --format text
