eval samples/fc.net --values tests/cases/fc.values --format json
