derive tests/cases/pascanu_linear.net
