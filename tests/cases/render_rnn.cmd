render samples/rnn.net --wrt W[1][2] --no-labels
