fmt tests/cases/softmax_hidden.net
