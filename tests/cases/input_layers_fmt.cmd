fmt tests/cases/input_layers.net
