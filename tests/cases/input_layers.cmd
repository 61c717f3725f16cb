derive tests/cases/input_layers.net --format text --stage act
