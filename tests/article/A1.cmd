derive samples/chain.net --stage chain --format latex
