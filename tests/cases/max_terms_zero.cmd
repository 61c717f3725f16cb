derive tests/errors/max_terms.net --max-terms 0 --stage act --format json --of y[8][1] --wrt y[7][2]
