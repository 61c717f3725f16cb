"""tests/checks.py — the tally every Python check script keeps.

    check = Checks("init")
    check(cond, "what went wrong")   # counts; prints "FAIL init: ..." if not cond
    sys.exit(check.finish())         # "init: P passed, F failed", 1 if any failed

The suite (tests/run.sh) reads the last line.  json_objects(text) reads
the JSON objects pathgrad writes one after another (derive, vanish of
several files).
"""
import json



class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = 0

    def __call__(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (self.name, what))
        return bool(cond)

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 1 if self.failed else 0


def json_objects(text):
    """every JSON value in TEXT, one after another, whitespace between"""
    objs, dec, i = [], json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return objs
        o, i = dec.raw_decode(text, i)
        objs.append(o)
