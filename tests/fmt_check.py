#!/usr/bin/env python3
"""tests/fmt_check.py — pathgrad fmt is a fixed point on the samples and
restores them from scrambled copies.

For every sample: `fmt --check` accepts it; fmt of it is itself; and for
several scramblings (indentation removed or doubled, spaces added around
every token and removed where they may be, blank lines multiplied,
statements without comments joined onto one line, CRLF... no: the language
is line-agnostic but comments end at a newline, so newlines stay) fmt of
the scrambled text is the sample again, byte for byte.  A scrambled copy is
also rejected by `fmt --check` (exit 1, a message, nothing on stdout), and
`fmt --in-place` rewrites it into the sample.  Expressions: random
expression trees printed with redundant parentheses come back with only
the needed ones, and the tree is unchanged (checked by comparing fmt's
output with the minimal printing made here).
Last line: "fmt: P passed, F failed".
"""
import os
import random
import re
import subprocess
import sys
import tempfile

from checks import Checks

PG = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
check = Checks("fmt")


def run(args, stdin=None):
    p = subprocess.run([PG] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def split_comment(line):
    m = re.search(r"#|//", line)
    if not m:
        return line, ""
    return line[:m.start()], line[m.start():]


# `..` (a range, x[1..6]) is one token: `1..6` is not the number `1.` and `.6`
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.(?!\.)\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\.\.|\S")


def scramble(text, rng, mode):
    out = []
    lines = text.split("\n")
    for line in lines:
        code, comment = split_comment(line)
        toks = TOKEN.findall(code)
        if mode == "spaces":
            new = (" " * rng.randint(0, 6)) + "  ".join(toks)
        elif mode == "tight":
            # as few spaces as the tokens allow (two words need one)
            new = ""
            for t in toks:
                if new and (new[-1].isalnum() or new[-1] in "_.") and (t[0].isalnum() or t[0] in "_."):
                    new += " "
                new += t
        elif mode == "tabs":
            new = "\t" * rng.randint(0, 3) + " \t ".join(toks)
        else:
            new = code
        if comment:
            new = new + (" " * rng.randint(0, 3) if new.strip() else " " * rng.randint(0, 9)) + comment
        out.append(new.rstrip() if not comment else new)
        if mode in ("spaces", "blank") and not line.strip():
            out.extend([""] * rng.randint(1, 3))
    if mode == "join":
        # statements without comments, consecutive, onto one line
        joined = []
        for line in out:
            if (joined and line.strip().endswith(";") and "#" not in line and "//" not in line
                    and joined[-1].strip().endswith(";") and "#" not in joined[-1] and "//" not in joined[-1]
                    and rng.random() < 0.6):
                joined[-1] = joined[-1] + " " + line.strip()
            else:
                joined.append(line)
        out = joined
    return "\n".join(out)


# FMT_QUICK=1 (the sanitizer run): fewer scramblings and trees
QUICK = os.environ.get("FMT_QUICK") == "1"
MODES = ("spaces", "join") if QUICK else ("spaces", "tight", "tabs", "blank", "join")
samples = sorted(f for f in os.listdir("samples") if f.endswith(".net"))
rng = random.Random(7)
with tempfile.TemporaryDirectory() as tmp:
    for name in samples:
        path = os.path.join("samples", name)
        text = open(path, encoding="utf-8").read()
        rc, out, err = run(["fmt", "--check", path])
        check(rc == 0 and out == "" and err == "", f"{name}: fmt --check: rc {rc} {err.strip()}")
        rc, out, err = run(["fmt", path])
        check(rc == 0 and out == text, f"{name}: fmt is not a fixed point")
        for mode in MODES:
            s = scramble(text, rng, mode)
            if s == text:
                continue
            rc, out, err = run(["fmt", "-"], stdin=s.encode())
            check(rc == 0 and out == text, f"{name}: fmt of the '{mode}' scrambling differs from the sample")
            sp = os.path.join(tmp, f"{mode}_{name}")
            with open(sp, "w", encoding="utf-8") as f:
                f.write(s)
            rc, out, err = run(["fmt", "--check", sp])
            check(rc == 1 and out == "" and "is not formatted" in err,
                  f"{name}: fmt --check of the '{mode}' scrambling: rc {rc}")
            rc, out, err = run(["fmt", "--in-place", sp])
            check(rc == 0 and out == "" and open(sp, encoding="utf-8").read() == text,
                  f"{name}: fmt --in-place of the '{mode}' scrambling")


# ---- expressions: random trees, printed with every parenthesis ----
PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


def rand_expr(rng, depth):
    if depth <= 0 or rng.random() < 0.25:
        r = rng.random()
        if r < 0.5:
            return ("var", rng.choice("abc"))
        if r < 0.8:
            return ("num", rng.choice(["1", "2", "0.5", "3", "10", "0.25"]))
        return ("call", rng.choice(["sin", "exp", "f"]), [rand_expr(rng, depth - 1)])
    r = rng.random()
    if r < 0.7:
        return ("bin", rng.choice("+-*/"), rand_expr(rng, depth - 1), rand_expr(rng, depth - 1))
    if r < 0.85:
        return ("neg", rand_expr(rng, depth - 1))
    return ("pow", rand_expr(rng, depth - 1), rng.choice([2, 3, -1]))


def full(e):
    """every node parenthesised"""
    k = e[0]
    if k in ("var", "num"):
        return e[1]
    if k == "call":
        return e[1] + "(" + ", ".join(full(a) for a in e[2]) + ")"
    if k == "neg":
        return "(-(" + full(e[1]) + "))"
    if k == "pow":
        return "((" + full(e[1]) + ")^" + str(e[2]) + ")"
    return "((" + full(e[2]) + ") " + e[1] + " (" + full(e[3]) + "))"


def prec(e):
    return {"bin": None, "neg": 3, "pow": 4}.get(e[0], 5) if e[0] != "bin" else PREC[e[1]]


def minimal(e):
    """the canonical form fmt should print"""
    k = e[0]
    if k in ("var", "num"):
        return e[1]
    if k == "call":
        return e[1] + "(" + ", ".join(minimal(a) for a in e[2]) + ")"
    if k == "neg":
        inner = minimal(e[1])
        return "-" + ("(" + inner + ")" if prec(e[1]) <= 3 else inner)
    if k == "pow":
        base = minimal(e[1])
        if prec(e[1]) < 5:
            base = "(" + base + ")"
        return base + "^" + (f"({e[2]})" if e[2] < 0 else str(e[2]))
    p = PREC[e[1]]
    left, right = minimal(e[2]), minimal(e[3])
    if prec(e[2]) < p:
        left = "(" + left + ")"
    if prec(e[3]) <= p:
        right = "(" + right + ")"
    return left + " " + e[1] + " " + right


for i in range(15 if QUICK else 60):
    e = rand_expr(rng, 5)
    src = f"graph g {{\n    input a, b, c;\n    z = {full(e)};\n}}\n"
    want = f"graph g {{\n    input a, b, c;\n    z = {minimal(e)};\n}}\n"
    rc, out, err = run(["fmt", "-"], stdin=src.encode())
    check(rc == 0 and out == want, f"expression {i}: {full(e)}\n  got  {out!r}\n  want {want!r} {err}")
    rc2, out2, _ = run(["fmt", "-"], stdin=out.encode())
    check(rc2 == 0 and out2 == out, f"expression {i}: not idempotent")

sys.exit(check.finish())
