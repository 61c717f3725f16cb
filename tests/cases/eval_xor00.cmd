eval samples/xor.net --values tests/cases/xor00.values --check
