eval tests/cases/twice.net --values tests/cases/twice.values --check
