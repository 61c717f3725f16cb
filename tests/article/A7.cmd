derive samples/fc_dead.net --stage act --of y[n][1] --wrt x[n][1]
