derive samples/rnn.net --wrt W[1][2] --stage factored --format json
