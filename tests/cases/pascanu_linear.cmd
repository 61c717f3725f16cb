derive tests/cases/pascanu_linear.net --format text
