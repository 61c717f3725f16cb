derive samples/resblock.net --collapse --wrt y[in][1] --format text --notation into
