derive samples/fc.net --format text --width 300pt
