derive tests/cases/long_sum.net --format text
