eval samples/fc.net --values tests/errors/values_duplicate.values
