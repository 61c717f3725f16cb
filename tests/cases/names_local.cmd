derive tests/cases/names.net
