eval samples/fc.net --seed 1 --values tests/cases/fc.values
