derive samples/chain.net --format text
