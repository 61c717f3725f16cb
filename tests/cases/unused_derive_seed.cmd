derive samples/fc.net --seed 3
