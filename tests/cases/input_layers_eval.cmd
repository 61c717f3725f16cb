eval tests/cases/input_layers.net --seed 1 --check --format json
