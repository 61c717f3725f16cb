derive tests/cases/wide.net --format text
