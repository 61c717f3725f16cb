eval samples/softmax.net --block classifier --seed 7 --check --format json
