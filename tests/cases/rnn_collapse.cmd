derive samples/rnn.net --collapse --format text
