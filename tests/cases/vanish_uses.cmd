vanish tests/cases/vanish_uses.net --values tests/cases/vanish_uses.values
