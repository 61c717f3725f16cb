derive tests/cases/notation.net --collapse --wrt a[in][1] --format latex
