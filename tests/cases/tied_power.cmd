derive tests/cases/tied_power.net --stage local --max-terms 0
