derive tests/cases/scalar.net --stage local
