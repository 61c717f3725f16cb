render samples/chain.net --view network
