derive tests/cases/scinum.net
