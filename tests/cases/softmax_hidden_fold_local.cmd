derive tests/cases/softmax_hidden_fold.net --format text
