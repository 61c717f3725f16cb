derive tests/errors/forward_too_many.net --stage forward --of y[5][1] --wrt w[4][1][1]
