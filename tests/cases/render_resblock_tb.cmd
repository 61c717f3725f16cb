render samples/resblock.net --of y[out][1] --wrt y[in][1] --view network --colors --rankdir TB
