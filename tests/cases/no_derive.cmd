derive tests/cases/noloss.net
