derive samples/fc.net --width 40pt
