#!/usr/bin/env python3
"""tests/conv1d_check.py — the gradient of a shared convolution kernel.

samples/conv1d.net computes y[i] = sum_j k[j] x[i+j-1] (i = 1..N-K+1) and
L = sum_i tanh(y[i]).  The textbook result (Goodfellow, Bengio and
Courville, Deep Learning, section 9.5) is that the gradient of the kernel
is the cross-correlation of the input with the upstream gradient:

    dL/dk[j] = sum_i dL/dy[i] x[i+j-1],   dL/dy[i] = 1 - tanh(y[i])^2

and the gradient of the input the full convolution of the kernel with it:

    dL/dx[m] = sum_{i+j-1 = m} k[j] dL/dy[i].

For samples/conv1d.values and for a few random value sets, this script
computes y and dL/dy itself from the values (never from pathgrad's
gradients), forms both formulas, and compares them with the "grad" object
of `pathgrad eval FILE --values V --format json` (relative 1e-12), after
checking that pathgrad's forward values of y and L are its own.  A
negative control checks that the flipped kernel (a true convolution,
x[i+K-j]) does *not* match for the sample's values: the comparison can
tell the two apart.
Run from the repository root:  python3 tests/conv1d_check.py PATHGRAD
Last line: "conv-kernel: P passed, F failed".
"""
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

from checks import Checks

PG = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
NET = "samples/conv1d.net"
VALUES = "samples/conv1d.values"
check = Checks("conv-kernel")


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def read_values(path):
    vals = {}
    for line in open(path, encoding="utf-8"):
        line = re.split(r"#|//", line)[0].strip().rstrip(";")
        if line:
            ref, num = (s.strip() for s in line.split("="))
            vals[ref] = float(num)
    return vals


def vector(vals, name):
    n = 0
    while f"{name}[{n + 1}]" in vals:
        n += 1
    return [None] + [vals[f"{name}[{i}]"] for i in range(1, n + 1)]   # 1-based


def reference(vals):
    x, k = vector(vals, "x"), vector(vals, "k")
    N, K = len(x) - 1, len(k) - 1
    M = N - K + 1
    y = [None] + [sum(k[j] * x[i + j - 1] for j in range(1, K + 1)) for i in range(1, M + 1)]
    L = sum(math.tanh(y[i]) for i in range(1, M + 1))
    dy = [None] + [1 - math.tanh(y[i]) ** 2 for i in range(1, M + 1)]
    gk = [None] + [sum(dy[i] * x[i + j - 1] for i in range(1, M + 1)) for j in range(1, K + 1)]
    gx = [None] + [sum(k[j] * dy[i] for i in range(1, M + 1) for j in range(1, K + 1) if i + j - 1 == m)
                   for m in range(1, N + 1)]
    flipped = [None] + [sum(dy[i] * x[i + K - j] for i in range(1, M + 1)) for j in range(1, K + 1)]
    return dict(N=N, K=K, M=M, y=y, L=L, gk=gk, gx=gx, flipped=flipped)


def pathgrad_eval(values_path):
    p = subprocess.run([PG, "eval", NET, "--values", values_path, "--format", "json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return json.loads(p.stdout), ""


def compare(values_path, label, control=False):
    vals = read_values(values_path)
    ref = reference(vals)
    out, err = pathgrad_eval(values_path)
    check(out is not None, f"{label}: eval failed: {err}")
    if out is None:
        return
    v, g = out["values"], out["grad"]
    check(close(out["loss"], ref["L"]), f"{label}: L = {out['loss']}, computed here {ref['L']}")
    for i in range(1, ref["M"] + 1):
        check(close(v[f"y[{i}]"], ref["y"][i]), f"{label}: y[{i}] = {v[f'y[{i}]']}, computed here {ref['y'][i]}")
    for j in range(1, ref["K"] + 1):
        check(close(g[f"k[{j}]"], ref["gk"][j]),
              f"{label}: dL/dk[{j}] = {g[f'k[{j}]']}, cross-correlation of x with dL/dy gives {ref['gk'][j]}")
    for m in range(1, ref["N"] + 1):
        check(close(g[f"x[{m}]"], ref["gx"][m]),
              f"{label}: dL/dx[{m}] = {g[f'x[{m}]']}, full convolution of k with dL/dy gives {ref['gx'][m]}")
    if control:
        # the flipped kernel is a different formula: it must disagree somewhere
        check(any(not close(g[f"k[{j}]"], ref["flipped"][j], 1e-6) for j in range(1, ref["K"] + 1)),
              f"{label}: negative control: the flipped formula matches too (the test cannot tell)")


compare(VALUES, VALUES, control=True)
rng = random.Random(11)
with tempfile.TemporaryDirectory() as tmp:
    names = list(read_values(VALUES))
    for n in range(3):
        path = os.path.join(tmp, f"random{n}.values")
        with open(path, "w", encoding="utf-8") as f:
            for ref in names:
                f.write(f"{ref} = {rng.uniform(-1.5, 1.5)!r}\n")
        compare(path, f"random values {n}")

sys.exit(check.finish())
