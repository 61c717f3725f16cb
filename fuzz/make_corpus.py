#!/usr/bin/env python3
"""make_corpus.py — the fuzzers' seed corpora, built from the repository.

    python3 fuzz/make_corpus.py OUTDIR

OUTDIR/pipeline: every .net file of samples/, tests/errors/, tests/cases/,
the files the golden cases (tests/cases/*.cmd, tests/article/*.cmd,
tests/errors/*.cmd) name, tests/cases/*.stdin, the hand-made regression
inputs in tests/fuzz-regress/, and the network/graph blocks of the fenced
examples in README.md and docs/LANGUAGE.md.
OUTDIR/values: every .values file found the same way, plus a few lines.
Files are named by content hash, so duplicates collapse; run from the
repository root (or any directory: paths are taken from this file's).
"""
import glob
import hashlib
import os
import re
import shlex
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def put(outdir, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUTDIR")
    out = sys.argv[1]
    pipe, vals = os.path.join(out, "pipeline"), os.path.join(out, "values")
    os.makedirs(pipe, exist_ok=True)
    os.makedirs(vals, exist_ok=True)
    os.chdir(ROOT)
    files = set()
    for pat in ("samples/*", "tests/errors/*", "tests/cases/*.net", "tests/cases/*.values",
                "tests/cases/*.stdin", "tests/fuzz-regress/*"):
        files.update(glob.glob(pat))
    for cmd in glob.glob("tests/cases/*.cmd") + glob.glob("tests/article/*.cmd") + glob.glob("tests/errors/*.cmd"):
        try:
            words = shlex.split(open(cmd).read())
        except ValueError:
            continue
        files.update(w for w in words if os.path.isfile(w))
    n = {"pipeline": 0, "values": 0}
    for f in sorted(files):
        if f.endswith((".err", ".out", ".cmd", ".status", ".md")) or not os.path.isfile(f):
            continue
        data = open(f, "rb").read()
        if len(data) > 64 * 1024:
            continue
        if f.endswith(".values"):
            put(vals, data)
            n["values"] += 1
        else:
            put(pipe, data)
            n["pipeline"] += 1
    # fenced examples that hold a block
    for doc in ("README.md", "docs/LANGUAGE.md"):
        if not os.path.exists(doc):
            continue
        for block in re.findall(r"```[a-z]*\n(.*?)```", open(doc).read(), re.S):
            if re.search(r"^\s*(network|graph)\s+\w+\s*\{", block, re.M):
                put(pipe, block)
                n["pipeline"] += 1
    for v in ("y[n-2][1] = 0.5\n", "t[1] = 1;\nw[in][1][1] = -2e-3\n", "x = 1.5\ny = +2\n",
              "b[h][3] = -0.0\n", "w[h][1][2]\n", "L\n"):
        put(vals, v)
        n["values"] += 1
    # fmt's harness starts from the pipeline's seeds (the .net sources)
    fmt = os.path.join(out, "fmt")
    if os.path.isdir(fmt):
        shutil.rmtree(fmt)
    shutil.copytree(pipe, fmt)
    print("corpus: %d pipeline (and fmt) seeds, %d values seeds in %s" % (n["pipeline"], n["values"], out))


main()
