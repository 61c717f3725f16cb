eval samples/fc.net --values tests/errors/values_computed.values
