#!/usr/bin/env python3
"""--collapse against the expanded terms.

For each case, every family that `derive --collapse` prints (its sums and
its template) is expanded back: each assignment of the index variables is
substituted into the template's superscripts (and a target's subscript,
t_{k}); a coupling activation's family factor y^{k}(\\delta_{kl}-y^{l}) is
then y^{k}(1-y^{k}) where k = l, and -y^{k}y^{l} (the term's sign
flipped) where not, as the expanded sum writes them.  The multiset of the terms so
made must equal the terms `derive` prints without --collapse (compared
without whitespace, and without the commas that separate two indices);
where the expanded sum is on one line (two terms or fewer) the counts are
compared.  Usage: python3 tests/collapse_check.py PATHGRAD
"""
import itertools
import re
import subprocess
import sys

CASES = [
    ("samples/fc.net", "chain"), ("samples/fc.net", "act"), ("samples/fc.net", "local"),
    ("samples/fc_dead.net", "act"), ("samples/fc_dead.net", "local"),
    ("samples/resblock.net", "local"), ("samples/resblock.net", "chain"),
    ("samples/sigmoid.net", "act"), ("samples/sigmoid.net", "local"),
    ("tests/cases/collapse_mix.net", "chain"), ("tests/cases/collapse_mix.net", "act"),
    ("tests/cases/collapse_mix.net", "local"),
    ("samples/softmax.net", "chain"), ("samples/softmax.net", "act"), ("samples/softmax.net", "local"),
    ("tests/cases/softmax_hidden.net", "act"), ("tests/cases/softmax_hidden.net", "local"),
]
DELTA = re.compile(r"(y\^\{(\d+)\}_\{[^{}]*\})\(\\delta_\{(\d+)(\d+)\}-(y\^\{\d+\}_\{[^{}]*\})\)")


def resolve_deltas(term):
    """y^{a}_{L}(\\delta_{ab}-y^{b}_{L}) -> y^{a}_{L}(1-y^{a}_{L}) or -y^{a}_{L}y^{b}_{L}"""
    flips = 0

    def one(m):
        nonlocal flips
        if m.group(3) == m.group(4):
            return m.group(1) + "(1-" + m.group(5) + ")"
        flips += 1
        return m.group(1) + m.group(5)
    term = DELTA.sub(one, term)
    if flips % 2:
        term = term[1:] if term.startswith("-") else "-" + term
    return term

SUM = re.compile(r"\\sum_\{(k_\{\d+\}|[a-z])(?:=(\d+)\}\^\{(\d+)\}|\\in\\\{([\d,]+)\\\}\})")
VAR = re.compile(r"k_\{\d+\}|[klmprsuv]")


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def derivations(text):
    """[(lhs, [terms])] of a LaTeX output: blank lines between derivations"""
    out = []
    for block in text.strip().split("\n\n"):
        lhs, rhs = block.split("=", 1)
        out.append((lhs.strip(), rhs))
    return out


def norm(s):
    s = re.sub(r"\s+", "", s)
    return re.sub(r"\^\{([^{}]*)\}", lambda m: "^{" + m.group(1).replace(",", "") + "}", s)


def expand_family(fam):
    sums = []
    pos = 0
    while True:
        m = SUM.match(fam, pos)
        if not m:
            break
        var = m.group(1)
        vals = list(range(int(m.group(2)), int(m.group(3)) + 1)) if m.group(2) else \
            [int(v) for v in m.group(4).split(",")]
        sums.append((var, vals))
        pos = m.end()
    template = fam[pos:]
    terms = []
    for combo in itertools.product(*[v for _, v in sums]):
        env = {var: str(val) for (var, _), val in zip(sums, combo)}

        def sub_sup(m):
            return "^{" + VAR.sub(lambda v: env.get(v.group(0), v.group(0)), m.group(1)) + "}"
        # superscripts may hold k_{1}: match a brace level deep
        t = re.sub(r"\^\{((?:[^{}]|\{[^{}]*\})*)\}", sub_sup, template)
        t = re.sub(r"t_\{([a-z])\}", lambda m: "t_{" + env.get(m.group(1), m.group(1)) + "}", t)
        t = re.sub(r"\\delta_\{([a-z0-9]+)\}",
                   lambda m: "\\delta_{" + "".join(env.get(ch, ch) for ch in m.group(1)) + "}", t)
        terms.append(resolve_deltas(t))
    return terms


def split_terms(rhs):
    """the lines of a sum: ` \\\\` ends one, the next starts with + or -"""
    return [t[1:] if t.startswith("+") else t for t in re.split(r"\s*\\\\\s*\n", rhs.strip())]


def main():
    binary = sys.argv[1]
    passed = failed = 0
    for path, stage in CASES:
        name = f"{path} --stage {stage}"
        try:
            full = derivations(run(binary, ["derive", path, "--stage", stage, "--max-terms", "0"]))
            coll = derivations(run(binary, ["derive", path, "--stage", stage, "--collapse"]))
            assert len(full) == len(coll)
            for (lf, rf), (lc, rc) in zip(full, coll):
                fams = split_terms(rc)
                got = []
                for f in fams:
                    got += expand_family(norm(f))
                if "\\\\" in rf or rf.strip() in ("0",):
                    want = [norm(t) for t in split_terms(rf)] if rf.strip() != "0" else []
                    if rc.strip() == "0":
                        got = []
                    ok = sorted(got) == sorted(want)
                else:
                    ok = len(got) in (1, 2) or rc.strip() == rf.strip()
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL collapse {name}: {lf}")
                    for t in sorted(set(got) - set(want))[:3]:
                        print(f"    collapsed only: {t}")
                    for t in sorted(set(want) - set(got))[:3]:
                        print(f"    expanded only:  {t}")
        except (RuntimeError, AssertionError, ValueError) as e:
            failed += 1
            print(f"FAIL collapse {name}: {e}")
    print(f"collapse: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
