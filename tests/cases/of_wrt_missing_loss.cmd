derive tests/cases/noloss.net --wrt w[a][1][1]
