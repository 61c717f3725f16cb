paths samples/resblock.net --wrt y[in][1] --seed 3
