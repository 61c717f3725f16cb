derive tests/cases/wide.net --stage act
