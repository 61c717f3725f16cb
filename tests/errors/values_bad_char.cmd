eval samples/fc.net --values tests/errors/values_bad_char.values
