derive tests/hostile/names.net --format text --block net_work_
