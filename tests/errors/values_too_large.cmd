eval tests/errors/values_too_large.net --values tests/errors/values_too_large.values
