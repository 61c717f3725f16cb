eval tests/cases/mse.net --values tests/cases/mse.values --check
