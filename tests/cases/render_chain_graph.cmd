render samples/chain.net
