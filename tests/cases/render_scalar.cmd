render tests/cases/scalar.net --stage local
