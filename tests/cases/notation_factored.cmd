derive tests/cases/notation.net --stage factored --format text --wrt z[h][2]
