derive samples/chain.net --format json
