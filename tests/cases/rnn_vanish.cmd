vanish samples/rnn.net
