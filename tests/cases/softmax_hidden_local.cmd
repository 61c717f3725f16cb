derive tests/cases/softmax_hidden.net --format text
