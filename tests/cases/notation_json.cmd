derive tests/cases/notation.net --format json --wrt P[in][2][1]
