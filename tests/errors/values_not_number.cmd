eval samples/fc.net --values tests/errors/values_not_number.values
