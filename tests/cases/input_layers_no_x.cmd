derive tests/cases/input_layers.net --wrt x[x1][1]
