eval samples/xor.net --values tests/cases/xor10.values --check
