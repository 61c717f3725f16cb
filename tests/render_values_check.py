#!/usr/bin/env python3
"""render --values / --seed: the numbers on the drawing are eval's.

For each sample (graph and network views), the DOT of `render --seed K`
(or --values FILE) is read: every drawn node's label carries two numbers
under its name, its value and the gradient of OF with respect to it.
They must equal, to the 4 significant digits printed, the values of
`eval --format json` (every variable) and its gradients (every leaf);
and the CS231n circuit (x = -2, y = 5, z = -4; q = x + y, f = q z) must
show f = -12, q = 3 and gradients -4, -4, 3, -4, 1 (Karpathy's notes).
The SVG is well-formed (xmllint) and rsvg-convert turns it into a PNG.

Usage: python3 tests/render_values_check.py ./pathgrad
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from checks import Checks

CASES = [
    ("samples/fc.net", ["--seed", "1"], "graph"),
    ("samples/fc.net", ["--seed", "2"], "network"),
    ("samples/resblock.net", ["--seed", "3"], "graph"),
    ("samples/micrograd.net", ["--values", "samples/micrograd.values"], "graph"),
    ("samples/bptt.net", ["--seed", "1"], "graph"),
    ("samples/softmax.net", ["--values", "samples/softmax.values"], "graph"),
]

NUM = re.compile(r'<FONT POINT-SIZE="10" COLOR="#[0-9a-f]+">([^<]+)</FONT>')


def num(s):
    return float(s.replace("&#8722;", "-"))


def close(a, b):
    return abs(a - b) <= 5e-4 * max(abs(b), 1e-300) + 1e-300 or float("%.4g" % b) == a


def nodes_of(dot):
    """node id -> (value, grad) from the DOT's labels"""
    out = {}
    for m in re.finditer(r'\n\t+("[^"]+"|[A-Za-z_][\w]*)\s*\[(.*?)\];', dot, re.S):
        body = m.group(2)
        lab = re.search(r'label=<(.*?)>,?\n', body + "\n", re.S)
        if not lab:
            continue
        nums = NUM.findall(lab.group(1))
        if len(nums) == 2 and m.group(1).strip('"') != "numbers-legend":
            out[m.group(1).strip('"')] = (num(nums[0]), num(nums[1]))
    return out


def main():
    pg = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
    check = Checks("render-values")

    with tempfile.TemporaryDirectory() as tmp:
        circ = os.path.join(tmp, "circuit.net")
        with open(circ, "w") as f:
            f.write("graph circuit {\n    input x, y, z;\n    q = x + y;\n    f = q * z;\n    derive f wrt x;\n}\n")
        vals = os.path.join(tmp, "circuit.values")
        with open(vals, "w") as f:
            f.write("x = -2\ny = 5\nz = -4\n")
        r = subprocess.run([pg, "render", circ, "--values", vals, "--format", "dot"], capture_output=True, text=True)
        got = nodes_of(r.stdout)
        want = {"x": (-2, -4), "y": (5, -4), "z": (-4, 3), "q": (3, -4), "f": (-12, 1)}
        check(r.returncode == 0 and got == {k: (float(a), float(b)) for k, (a, b) in want.items()},
              "the CS231n circuit: %s" % got)
        for path, nums, view in CASES:
            r = subprocess.run([pg, "render", path, "--view", view, "--format", "dot"] + nums,
                               capture_output=True, text=True)
            e = subprocess.run([pg, "eval", path, "--format", "json"] + nums, capture_output=True, text=True)
            if r.returncode or e.returncode:
                check(False, "%s %s: exit %d/%d %s" % (path, nums, r.returncode, e.returncode, r.stderr[:200]))
                continue
            ev = json.loads(e.stdout)
            drawn = nodes_of(r.stdout)
            compared = 0
            for ref, (value, grad) in drawn.items():
                if ref in ev["values"]:
                    check(close(value, ev["values"][ref]), "%s: %s drawn %g, eval %r" % (path, ref, value,
                                                                                      ev["values"][ref]))
                    compared += 1
                if ref in ev.get("grad", {}):
                    check(close(grad, ev["grad"][ref]), "%s: d/d%s drawn %g, eval %r" % (path, ref, grad,
                                                                                     ev["grad"][ref]))
            check(compared >= 3, "%s (%s view): only %d drawn values compared" % (path, view, compared))
            s = subprocess.run([pg, "render", path, "--view", view, "-o", os.path.join(tmp, "d.svg")] + nums,
                               capture_output=True, text=True)
            if shutil.which("xmllint"):
                x = subprocess.run(["xmllint", "--noout", os.path.join(tmp, "d.svg")], capture_output=True)
                check(s.returncode == 0 and x.returncode == 0, "%s: the SVG is not well-formed" % path)
            if shutil.which("rsvg-convert"):
                x = subprocess.run(["rsvg-convert", os.path.join(tmp, "d.svg"), "-o", os.path.join(tmp, "d.png")],
                                   capture_output=True)
                check(x.returncode == 0 and os.path.getsize(os.path.join(tmp, "d.png")) > 1000,
                      "%s: rsvg-convert failed" % path)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
