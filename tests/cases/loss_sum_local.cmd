derive tests/cases/loss_sum.net --format text
