check tests/cases/input_layers.net
