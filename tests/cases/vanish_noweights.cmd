vanish tests/cases/noweights.net
