derive tests/cases/notation.net --format latex
