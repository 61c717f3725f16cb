derive tests/cases/scalar.net --stage factored --format text
