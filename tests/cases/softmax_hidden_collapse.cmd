derive tests/cases/softmax_hidden.net --stage act --collapse --format text
