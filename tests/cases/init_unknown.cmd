eval samples/fc.net --seed 1 --init bogus
