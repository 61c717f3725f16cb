derive samples/chain.net --stage factored --format text
