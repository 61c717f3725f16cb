eval tests/cases/xor.net --values tests/cases/xor11.values --check
