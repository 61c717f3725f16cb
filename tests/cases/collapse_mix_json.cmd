derive tests/cases/collapse_mix.net --collapse --format json
