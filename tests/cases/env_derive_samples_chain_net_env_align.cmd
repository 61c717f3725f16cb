derive samples/chain.net --env align*
