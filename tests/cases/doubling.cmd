derive tests/cases/doubling.net --format text
