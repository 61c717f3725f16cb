derive tests/cases/doubling.net
