derive tests/cases/bptt.net --collapse --format text
