eval samples/rnn.net --seed 1 --check --format json
