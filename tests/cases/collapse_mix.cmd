derive tests/cases/collapse_mix.net --collapse --stage act
