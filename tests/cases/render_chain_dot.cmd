render samples/chain.net --stage local --format dot
