derive tests/cases/shared_twice_collapse.net --collapse --format text
