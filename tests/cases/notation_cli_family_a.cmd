derive tests/cases/notation_family_a.net --notation za
