paths samples/fc.net --wrt y[n-2][1] --values tests/cases/fc.values
