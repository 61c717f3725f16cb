derive tests/cases/collapse_negative.net --collapse
