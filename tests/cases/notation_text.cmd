derive tests/cases/notation.net --format text
