derive tests/cases/bptt.net --collapse --format json --wrt w
