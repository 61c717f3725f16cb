derive tests/hostile/names.net --format text
