derive samples/fc.net --width 3furlongs
