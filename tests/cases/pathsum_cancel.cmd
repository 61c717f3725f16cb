eval tests/cases/pathsum_cancel.net --block d2 --seed 170546754 --of x9 --check --format json
