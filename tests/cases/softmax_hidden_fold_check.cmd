eval tests/cases/softmax_hidden_fold.net --seed 4 --check
