paths tests/cases/recurrence5.net --wrt w --format json
