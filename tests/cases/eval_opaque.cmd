eval samples/chain.net --seed 1
