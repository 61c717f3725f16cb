derive tests/cases/bptt.net --collapse --stage chain --format text
