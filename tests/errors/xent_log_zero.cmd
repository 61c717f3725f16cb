eval tests/errors/xent_log_zero.net --values tests/errors/xent_log_zero.values
