vanish samples/chain.net
