count samples/rnn.net
