render tests/cases/recurrence5.net --wrt w --format dot
