expand samples/chain.net --node F
