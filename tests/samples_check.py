#!/usr/bin/env python3
"""tests/samples_check.py — every sample is documented and checks numerically.

For every samples/*.net:
  - its first line is a comment (`#` or `//`): the header that says what
    it shows and what it reproduces;
  - `pathgrad eval FILE ARGS --check` exits 0 and reports both comparisons
    (sums over paths, finite differences) for each run below, and every
    block of the file is evaluated by at least one run.

The runs of a sample (the convention):
  - samples/NAME.values, if present: `--values samples/NAME.values` (for
    the first block);
  - every comment line `# eval: ARGS` (or `// eval: ARGS`) anywhere in the
    file: one more run with those arguments, e.g. `# eval: --seed 1` or
    `# eval: --block classifier --seed 1` (a run without --block evaluates
    the first block);
  - `# eval: none (REASON)` excludes the file: only for a sample that
    genuinely cannot be evaluated (opaque functions).  The exclusion is
    checked too: `eval --seed 1` of it must fail with exit 1 and name an
    opaque function.
A sample with neither a .values file nor an eval line fails, and so does a
.values file without its sample.
Run from the repository root:  python3 tests/samples_check.py PATHGRAD
Last line: "samples: P passed, F failed".
"""
import os
import re
import shlex
import subprocess
import sys

from checks import Checks

PG = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
check = Checks("samples")



def run(args):
    p = subprocess.run([PG] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


names = sorted(f[:-4] for f in os.listdir("samples") if f.endswith(".net"))
check(len(names) > 0, "no samples found")
for v in sorted(f for f in os.listdir("samples") if f.endswith(".values")):
    check(v[:-7] in names, f"samples/{v} has no samples/{v[:-7]}.net")

for name in names:
    path = f"samples/{name}.net"
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    check(re.match(r"\s*(#|//)", lines[0]) is not None, f"{path} does not begin with a comment")
    blocks = re.findall(r"^\s*(?:network|graph)\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.M)
    evals = [m.group(1).strip() for m in (re.match(r"\s*(?:#|//)\s*eval:(.*)$", l) for l in lines) if m]
    if any(e.startswith("none") for e in evals):
        check(re.match(r"none\s*\(.+\)", evals[0]) is not None and len(evals) == 1,
              f"{path}: an exclusion is `eval: none (REASON)`, alone")
        rc, out, err = run(["eval", path, "--seed", "1"])
        check(rc == 1 and "opaque" in err, f"{path} is excluded, but eval --seed 1 gives exit {rc}: {err.strip()[:120]}")
        continue
    runs = [shlex.split(e) for e in evals]
    if os.path.exists(f"samples/{name}.values"):
        runs.insert(0, ["--values", f"samples/{name}.values"])
    check(runs != [], f"{path}: no samples/{name}.values and no `# eval: ARGS` line")
    covered = set()
    for args in runs:
        rc, out, err = run(["eval", path] + args + ["--check"])
        ok = rc == 0 and "sums over paths" in out and "finite differences" in out
        check(ok, f"{path}: eval {' '.join(args)} --check: exit {rc} {err.strip()[:200]}")
        if ok:
            covered.add(args[args.index("--block") + 1] if "--block" in args else blocks[0] if blocks else "")
    for b in blocks:
        check(b in covered, f"{path}: block {b} is not evaluated by any run (add `# eval: --block {b} --seed N`)")

sys.exit(check.finish())
