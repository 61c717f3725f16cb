eval tests/cases/xor.net --values tests/cases/xor10.values --check
