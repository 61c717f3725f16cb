derive samples/chain.net --collapse
