derive tests/cases/names.net --stage chain
