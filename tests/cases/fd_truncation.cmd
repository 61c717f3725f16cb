eval tests/cases/fd_truncation.net --block wideg --seed 686883795 --of F --check --format json
