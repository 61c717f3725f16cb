eval tests/cases/mse2.net --values tests/errors/values_target_range.values
