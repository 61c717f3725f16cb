derive tests/cases/scalar.net --stage forward --format text
