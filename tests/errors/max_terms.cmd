derive tests/errors/max_terms.net
