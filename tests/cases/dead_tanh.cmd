derive tests/cases/dead_tanh.net --wrt w[L2][1][1] --stage forward --format json
