eval samples/xor.net --values tests/cases/xor11.values --check
