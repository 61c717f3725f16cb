derive samples/rnn.net --wrt W[1][2] --format latex --notation za,into
