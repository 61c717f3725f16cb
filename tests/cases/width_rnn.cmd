derive samples/rnn.net --wrt W[1][2] --notation za,into --width 300pt
