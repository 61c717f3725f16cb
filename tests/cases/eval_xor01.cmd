eval samples/xor.net --values tests/cases/xor01.values --check
