eval samples/fc.net --seed 2 --init uniform:0.5 --format json
