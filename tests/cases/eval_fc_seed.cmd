eval samples/fc.net --seed 7 --check
