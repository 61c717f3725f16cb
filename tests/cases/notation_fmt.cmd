fmt tests/cases/notation.net
