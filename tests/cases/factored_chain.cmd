derive samples/chain.net --stage factored
