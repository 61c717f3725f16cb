derive tests/cases/scinum.net --format text
