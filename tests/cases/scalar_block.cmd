derive tests/cases/scalar.net --block twice --wrt a --format text
