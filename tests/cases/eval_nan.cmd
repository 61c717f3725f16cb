eval tests/cases/nan.net --seed 1
