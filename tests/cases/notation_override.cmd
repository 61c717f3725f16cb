derive tests/cases/notation.net --format text --notation xy,out
