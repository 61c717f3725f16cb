derive tests/cases/softmax_hidden_fold.net --stage factored --format text
