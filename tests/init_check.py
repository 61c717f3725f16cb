#!/usr/bin/env python3
"""--init: the weights `eval --seed K --init I` draws have the law I names.

On samples/deep_relu.net (30 weight layers of 8 x 8: 1,920 weights, fan-in
and fan-out 8) the weights of each scheme are read back from eval's JSON:
  glorot      |w| <= sqrt(6/16), the sample SD within 10% of sqrt(6/16)/sqrt(3)
  standard    |w| <= 1/sqrt(8), SD within 10% of 1/sqrt(8)/sqrt(3)
  uniform:A   |w| <= A, SD within 10% of A/sqrt(3)
  he          mean within 0.05, SD within 10% of sqrt(2/8)
  lecun       SD within 10% of sqrt(1/8)
  normal:SD   SD within 10% of SD
and the default is glorot (the same bytes as --init glorot); inputs and
biases do not depend on the scheme.  Also vanish of several files: a
series each, in the order given, as JSON objects one after the other.

Usage: python3 tests/init_check.py ./pathgrad
"""
import json
import math
import subprocess
import sys

from checks import Checks, json_objects

NET = "samples/deep_relu.net"


def weights(pg, init, seed=3):
    args = [pg, "eval", NET, "--seed", str(seed), "--format", "json"]
    if init:
        args += ["--init", init]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    vals = json.loads(r.stdout)["values"]
    w = [v for k, v in vals.items() if k.startswith("w[")]
    other = {k: v for k, v in vals.items() if k.startswith("y[0]")}
    return w, other


def stats(w):
    m = sum(w) / len(w)
    sd = math.sqrt(sum((x - m) ** 2 for x in w) / (len(w) - 1))
    return m, sd


def main():
    pg = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
    check = Checks("init")

    base, inputs = weights(pg, None)
    g, inputs_g = weights(pg, "glorot")
    check(base == g, "the default is not glorot")
    check(len(g) == 1920, "deep_relu has %d weights, expected 1920" % len(g))
    laws = [("glorot", math.sqrt(6 / 16), True), ("standard", 1 / math.sqrt(8), True),
            ("uniform:0.3", 0.3, True), ("he", math.sqrt(2 / 8), False), ("lecun", math.sqrt(1 / 8), False),
            ("normal:0.7", 0.7, False)]
    for init, scale, uniform in laws:
        w, inp = weights(pg, init)
        m, sd = stats(w)
        check(inp == inputs, "%s changes the inputs" % init)
        if uniform:
            check(max(abs(x) for x in w) <= scale, "%s: a weight beyond %g" % (init, scale))
            want = scale / math.sqrt(3)
        else:
            want = scale
            check(abs(m) < 0.05, "%s: mean %g" % (init, m))
        check(abs(sd - want) < 0.1 * want, "%s: SD %g, expected %g" % (init, sd, want))
    # vanish of several files: one JSON object a file, in order
    r = subprocess.run([pg, "vanish", "samples/deep_sigmoid.net", "samples/deep_relu.net", "samples/deep_resnet.net",
                        "--format", "json"], capture_output=True, text=True)
    names = [o["network"] for o in json_objects(r.stdout)] if r.returncode == 0 else []
    check(names == ["deep_sigmoid", "deep_relu", "deep_resnet"], "vanish of 3 files gave %s" % names)
    # each series equals that file's vanish alone
    for f in ("samples/deep_relu.net",):
        one = subprocess.run([pg, "vanish", f, "--format", "json"], capture_output=True, text=True).stdout
        check(one in r.stdout, "vanish %s alone is not its series among several" % f)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
