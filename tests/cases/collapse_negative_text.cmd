derive tests/cases/collapse_negative.net --collapse --format text
