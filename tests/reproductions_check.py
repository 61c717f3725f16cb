#!/usr/bin/env python3
"""tests/reproductions_check.py — textbook results about recurrent and gated networks,
with numbers that come from the reasoning below, not from pathgrad.

1. Pascanu, Mikolov and Bengio 2013 (section 2.1, the linear case): the
   scalar recurrence h[t] = w h[t-1] + u x[t] over T steps has exactly one
   path from h[T] to h[0], of T edges each with local derivative w, so
   dh[T]/dh[0] = w^T.  For T in 1, 2, 7, 50 (and 123) the text output must
   be exactly "∂h_T/∂h₀ = w^T" (subscript and superscript digits, no
   exponent for T = 1), the JSON must list one path of T factors "w", and
   eval at w = 0.9 must give the gradient of h[0] as 0.9^T (relative 1e-12).

2. A tied RNN of n units over q steps (the shape of samples/rnn.net:
   `layer hK : n tanh = dense(hK-1) shared W + dense(xK) shared U`, an
   input layer xK of width 2 before each step).  A path from y[h0][1] to
   y[hq][1] crosses the q junctions h0->h1, ..., hq-1->hq; it chooses the
   unit of each of the q-1 layers h1..hq-1 in between freely (every unit
   of a layer feeds every unit of the next) and the ends are fixed, so
       count y[hq][1] wrt y[h0][1] = n^(q-1).
   The loss (sum over the n units of hq) frees the last unit too:
       count L wrt y[h0][1] = n^q        (rnn.net: 3^4 = 81)
   and the same for a unit of the first input layer x1.  A tied weight
   W[1][2] is used once a step: its use at step k is reached from L through
   y[hk][2], whose paths from L choose the units of hk+1..hq: n^(q-k); so
       count L wrt W[1][2] = sum_{k=1..q} n^(q-k) = (n^q - 1)/(n - 1)
   (q for n = 1; rnn.net: 27 + 9 + 3 + 1 = 40), and U[1][2] likewise.
   (n, q) runs from (1, 3) to (8, 30), 8^30 > 2^64, beyond 64 bits.

3. The LSTM's constant error carousel (Hochreiter and Schmidhuber 1997,
   samples/lstm.net over T = 1..4 steps): exactly one path c[T] -> c[0]
   has no weight or bias in its factors, it is c[T], c[T-1], ..., c[0] and
   its factors are f_T, ..., f_1; the number of paths follows the
   recursion in lstm() (1, 4, 19, 91).  The highway layer's carry path
   (Srivastava et al. 2015, samples/highway.net with 1..3 layers): 3^L
   paths, exactly one weightless, its factors (1-T_L) ... (1-T_1).
Run from the repository root:  python3 tests/reproductions_check.py PATHGRAD
Last line: "reproductions: P passed, F failed".
"""
import json
import os
import re
import subprocess
import sys
import tempfile

from checks import Checks

PG = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
check = Checks("reproductions")
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")



def run(args):
    p = subprocess.run([PG] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def linear_recurrence(tmp, T):
    net = write(tmp, f"pascanu{T}.net", f"""graph pascanu {{
    input w, u, x[1..{T}], h[0];
    for t in 1..{T} {{
        h[t] = w * h[t - 1] + u * x[t];
    }}
    derive h[{T}] wrt h[0];
}}
""")
    rc, out, err = run(["derive", net, "--format", "text"])
    power = "w" if T == 1 else "w" + str(T).translate(SUP)
    want = f"∂h{str(T).translate(SUB)}/∂h₀ = {power}\n"
    check(rc == 0 and out == want, f"T = {T}: derive printed {out!r} (exit {rc}), expected {want!r}")
    # the printed exponent, read back as a number
    digits = out.strip().rsplit("w", 1)[-1].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
    check((int(digits) if digits else 1) == T, f"T = {T}: printed exponent {digits!r}")
    rc, out, err = run(["derive", net, "--format", "json"])
    obj = json.loads(out) if rc == 0 else {}
    terms = obj.get("terms", [])
    check(obj.get("count") == "1" and len(terms) == 1 and terms[0]["factors"] == ["w"] * T
          and terms[0]["path"] == [f"h[{t}]" for t in range(T, -1, -1)],
          f"T = {T}: JSON is not one path h[T] ... h[0] of T factors w: {out[:200]!r}")
    vals = write(tmp, f"pascanu{T}.values",
                 "w = 0.9\nu = 0.5\nh[0] = 1\n" + "".join(f"x[{t}] = {(-1) ** t * 0.25}\n" for t in range(1, T + 1)))
    rc, out, err = run(["eval", net, "--values", vals, "--of", f"h[{T}]", "--format", "json"])
    g = json.loads(out)["grad"]["h[0]"] if rc == 0 else None
    check(g is not None and abs(g - 0.9 ** T) <= 1e-12 * 0.9 ** T,
          f"T = {T}: eval's dh[T]/dh[0] = {g}, expected 0.9^{T} = {0.9 ** T}")


def rnn(tmp, n, q):
    lines = [f"network rnn {{", f"    layer h0 : {n};"]
    for k in range(1, q + 1):
        lines.append(f"    layer x{k} : 2 input;")
        lines.append(f"    layer h{k} : {n} tanh = dense(h{k - 1}) shared W + dense(x{k}) shared U;")
    lines += ["    loss L;", "}", ""]
    net = write(tmp, f"rnn_{n}_{q}.net", "\n".join(lines))
    tied = q if n == 1 else (n ** q - 1) // (n - 1)
    want = [(["--of", f"y[h{q}][1]", "--wrt", "y[h0][1]"], n ** (q - 1)),
            (["--wrt", "y[h0][1]"], n ** q),
            (["--wrt", "y[x1][1]"], n ** q)]
    if n >= 2:  # W[1][2] needs two units
        want += [(["--wrt", "W[1][2]"], tied), (["--wrt", "U[1][2]"], tied)]
    for args, expected in want:
        rc, out, err = run(["count", net] + args)
        check(rc == 0 and out.strip() == str(expected),
              f"n = {n}, q = {q}: count {' '.join(args)} printed {out.strip() or err.strip()!r}, expected {expected}")


def weightless(terms):
    """the terms none of whose factors holds a weight or bias name"""
    return [t for t in terms if not any(re.search(r"[WUb][a-z]|WH|WT|bH|bT", f) for f in t["factors"])]


def lstm(tmp, T):
    # samples/lstm.net with T steps; the paths c[T] -> c[0] by the recursion
    # P(c_t) = 3 Q(h_t-1) + P(c_t-1), Q(h_t) = Q(h_t-1) + P(c_t), P(c_0) = 1, Q(h_0) = 0
    # (c_t reaches h_t-1 through f_t, i_t and g_t; h_t reaches h_t-1 through o_t)
    src = open("samples/lstm.net", encoding="utf-8").read()
    src = src.replace("1..3", f"1..{T}").replace("h[3]", f"h[{T}]").replace("c[3]", f"c[{T}]")
    net = write(tmp, f"lstm{T}.net", src)
    P, Q = 1, 0
    for _ in range(T):
        P = 3 * Q + P
        Q = Q + P
    rc, out, err = run(["derive", net, "--format", "json"])
    obj = json.loads(out) if rc == 0 else {"terms": []}
    check(obj.get("count") == str(P) and len(obj["terms"]) == P,
          f"LSTM T = {T}: {obj.get('count')} paths c[T] -> c[0], expected {P} ({err.strip()[:100]})")
    free = weightless(obj["terms"])
    check(len(free) == 1 and free[0]["path"] == [f"c[{t}]" for t in range(T, -1, -1)]
          and free[0]["factors"] == [f"f_{{{t}}}" for t in range(T, 0, -1)],
          f"LSTM T = {T}: the weightless terms are {free}, expected the carousel c[T] ... c[0] = f_T ... f_1")


def highway(tmp, layers):
    src = open("samples/highway.net", encoding="utf-8").read()
    src = re.sub(r"\b2\b", str(layers), src.split("graph", 1)[1])
    net = write(tmp, f"highway{layers}.net", "graph" + src)
    rc, out, err = run(["derive", net, "--format", "json"])
    obj = json.loads(out) if rc == 0 else {"terms": []}
    check(obj.get("count") == str(3 ** layers), f"highway of {layers}: {obj.get('count')} paths, expected 3^{layers}")
    free = weightless(obj["terms"])
    check(len(free) == 1 and free[0]["factors"] == [f"1-T_{{{l}}}" for l in range(layers, 0, -1)],
          f"highway of {layers}: the weightless terms are {free}, expected the carry path (1-T_L) ... (1-T_1)")


with tempfile.TemporaryDirectory() as tmp:
    for T in (1, 2, 3, 4):
        lstm(tmp, T)
    for layers in (1, 2, 3):
        highway(tmp, layers)
    for T in (1, 2, 7, 50, 123):
        linear_recurrence(tmp, T)
    for n, q in ((1, 3), (2, 1), (2, 3), (3, 4), (4, 3), (2, 10), (8, 30)):
        rnn(tmp, n, q)

sys.exit(check.finish())
