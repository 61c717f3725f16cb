#!/usr/bin/env python3
"""props.py -- property-based test of `pathgrad count`, `derive` and `eval`.

Generates random (valid) `.net` networks -- up to 6 layers, widths 1..5,
all four activations, random dense/skip inputs, biases, dead ReLU neurons,
both loss kinds, varied label styles -- and compares pathgrad against an
independent Python model of the computational graph (LANGUAGE.md section 3):

  Loss      -> y[last][k]                      k = 1..width(last)
  y[L][j]   -> x[L][j]                         (activation edge)
  x[L][j]   -> for each input, in declaration order:
                 dense(P): w[P][i][j], y[P][i]  i = 1..width(P)
                 skip(P):  y[P][j]
               then b[L][j] if the layer has a bias

Properties, for several (OF, REF) pairs per network (including unreachable
pairs and OF == REF):
  1. `count` == the model's number of paths == the number of terms that
     `derive --stage chain` lists (and its JSON "count").
  2. At stages act, local and forward no term passes through a dead neuron's
     activation edge y[L][j] -> x[L][j], and JSON "count" == number of terms
     == the model's number of paths whose factors are not identically zero.
  3. Every listed path is a real path of the model (starts at OF, ends at REF,
     each consecutive pair an edge); at stage chain the paths equal the
     model's paths as a multiset, and every stage lists them in depth-first
     order (operands in edge order).
  4. pathgrad exits 0 and writes nothing to standard error.
  5. `eval --seed S --check`: the gradient as a sum over paths equals reverse
     mode to 1e-9 relative, central finite differences agree to 1e-6, for
     every weight, bias and input.

Which factors are zero at each stage (the model of property 2):
  act, local: the activation factor of a dead ReLU neuron (0).
  forward:    also the factor dx[L][j]/dw[P][i][j] = y[P][i] when y[P][i]'s
              forward path sum is identically 0: y[P][i] is a dead ReLU, or
              its layer is relu/identity/tanh, has no bias, and every y it
              sums (through dense or skip) is itself identically 0
              (tanh(0) = 0; sigmoid(0) = 1/2 is not zero).
  (LANGUAGE.md section 6: "forward: every y that is not an input replaced by
  its forward path sum" -- a dead neuron's sum is 0, so its terms vanish.)

Usage: python3 tests/prop/props.py --bin ./pathgrad [--seed N] [--count N]
Failing networks are written to /tmp/pathgrad-props/; the last line of the
output is `props: P passed, F failed`; exit status 0 iff F == 0.
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import random
import shlex
import subprocess
import sys
import time

ACTS = ["identity", "relu", "sigmoid", "tanh"]
STAGES = ["chain", "act", "local", "forward"]
KEYWORDS = {"network", "graph", "layer", "loss", "dead", "derive", "wrt", "expand",
            "input", "dense", "skip", "bias", "identity", "relu", "sigmoid", "tanh"}
LOSS_NAMES = ["Loss", "E", "J", "cost", "L_total", "err"]
# derive is only run (and paths enumerated) when there are at most this many
# paths; `count` is always checked against the model
MAX_ENUM = 1500
FAIL_DIR = "/tmp/pathgrad-props"


# ---------------------------------------------------------------- generator

class Layer:
    def __init__(self, label, width):
        self.label = label
        self.width = width
        self.act = "identity"      # effective activation
        self.act_written = None    # what the file says (None: omitted)
        self.inputs = []           # [("dense"|"skip", layer index)] effective, in order
        self.explicit = False      # inputs written in the file
        self.bias = False
        self.dead = set()          # dead neuron indices (1-based)


class Net:
    def __init__(self):
        self.name = "rnd"
        self.layers = []
        self.loss = "Loss"
        self.loss_kind = None      # None, "sum", "mse"
        self.text = ""
        self.w_into = {}           # layer index -> index of the layer its weights feed


def gen_labels(rng, n):
    style = rng.choice(["L", "int", "nminus", "mixed", "ident"])
    labels = []
    while len(labels) < n:
        k = len(labels)
        if style == "L":
            lab = "L%d" % k
        elif style == "int":
            lab = str(rng.choice([0, 1]) if k == 0 else int(labels[-1]) + rng.randint(1, 3))
        elif style == "nminus":
            lab = "n" if k == n - 1 else "n-%d" % (n - 1 - k)
        elif style == "ident":
            lab = rng.choice(["in", "h", "hid", "out", "a", "z_", "Layer", "e", "q"]) + \
                rng.choice(["", str(k), "_%d" % k])
        else:
            lab = rng.choice(["%d" % rng.randint(0, 99), "h%d" % rng.randint(0, 9),
                              "L+%d" % rng.randint(1, 9), "n-%d" % rng.randint(1, 9),
                              "out", "x_%d" % rng.randint(0, 9), "_a"])
        if lab in labels or lab in KEYWORDS:
            style = "mixed"
            continue
        labels.append(lab)
    return labels


def gen_net(rng):
    net = Net()
    nl = rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6])
    labels = gen_labels(rng, nl)
    used = set()                   # layers whose weights already feed a layer
    for l in range(nl):
        L = Layer(labels[l], rng.randint(1, 5))
        net.layers.append(L)
        if l == 0:
            continue
        r = rng.random()
        if r < 0.15:
            L.act_written = None
        else:
            L.act_written = rng.choice(ACTS)
        L.act = L.act_written or "identity"
        # dense(l-1) is always available: only layer l can consume layer l-1
        if rng.random() < 0.4:
            L.inputs = [("dense", l - 1)]
            L.explicit = False
        else:
            cands = []
            for p in range(l):
                if p not in used and rng.random() < (0.7 if p == l - 1 else 0.3):
                    cands.append(("dense", p))
                if net.layers[p].width == L.width and rng.random() < 0.5:
                    cands.append(("skip", p))
            if not cands:
                cands = [("dense", l - 1)]
            rng.shuffle(cands)
            L.inputs = cands
            L.explicit = True
        for kind, p in L.inputs:
            if kind == "dense":
                assert p not in used
                used.add(p)
                net.w_into[p] = l
        L.bias = rng.random() < 0.4
        if L.act == "relu" and L.act_written:
            for j in range(1, L.width + 1):
                if rng.random() < 0.3:
                    L.dead.add(j)
    net.loss = rng.choice(LOSS_NAMES)
    last = net.layers[-1].label
    if rng.random() < 0.05 and last.isidentifier() and last not in KEYWORDS:
        net.loss = last            # a loss named like a layer label: another namespace
    net.loss_kind = rng.choice([None, "sum", "mse"])
    net.text = render(net, rng)
    return net


def render(net, rng):
    out = ["# generated by tests/prop/props.py", "network %s {" % net.name]
    loss = "    loss %s%s;" % (net.loss, "" if net.loss_kind is None else " = " + net.loss_kind)
    deads = []
    for l, L in enumerate(net.layers):
        s = "    layer %s : %d" % (L.label, L.width)
        if l > 0 and L.act_written:
            s += " " + L.act_written
        if l > 0 and L.explicit:
            s += " = " + " + ".join("%s(%s)" % (k, net.layers[p].label) for k, p in L.inputs)
        if L.bias:
            s += " bias"
        s += ";"
        if rng.random() < 0.2:
            s += "   # layer %d" % l
        out.append(s)
        for j in sorted(L.dead):
            deads.append("    dead y[%s][%d];" % (L.label, j))
    rng.shuffle(deads)
    out += [loss] + deads if rng.random() < 0.5 else deads + [loss]
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- model

class Model:
    """The computational graph: children[node] = [(child, kind)] in edge order."""

    def __init__(self, net):
        self.net = net
        Ls = net.layers
        self.children = {}
        self.kind_of = {}
        self.dead_act = set()      # (y, x) activation edges of dead neurons
        nl = len(Ls)
        lab = [L.label for L in Ls]
        self.y = lambda l, j: "y[%s][%d]" % (lab[l], j)
        self.x = lambda l, j: "x[%s][%d]" % (lab[l], j)
        self.w = lambda p, i, j: "w[%s][%d][%d]" % (lab[p], i, j)
        self.b = lambda l, j: "b[%s][%d]" % (lab[l], j)
        self.nodes = {"y_in": [], "y": [], "x": [], "w": [], "b": []}
        for l, L in enumerate(Ls):
            for j in range(1, L.width + 1):
                yn = self.y(l, j)
                self.nodes["y_in" if l == 0 else "y"].append((l, yn))
                self.children[yn] = []
                if l > 0:
                    xn = self.x(l, j)
                    self.nodes["x"].append((l, xn))
                    self.children[yn] = [(xn, "act")]
                    if j in L.dead:
                        self.dead_act.add((yn, xn))
                    ch = []
                    for kind, p in L.inputs:
                        if kind == "dense":
                            for i in range(1, Ls[p].width + 1):
                                ch.append((self.w(p, i, j), "jw"))
                                ch.append((self.y(p, i), "jy"))
                        else:
                            ch.append((self.y(p, j), "skip"))
                    if L.bias:
                        ch.append((self.b(l, j), "bias"))
                    self.children[xn] = ch
                    if L.bias:
                        self.nodes["b"].append((l, self.b(l, j)))
                        self.children[self.b(l, j)] = []
        for p, l in net.w_into.items():
            for i in range(1, Ls[p].width + 1):
                for j in range(1, Ls[l].width + 1):
                    self.nodes["w"].append((p, self.w(p, i, j)))
                    self.children[self.w(p, i, j)] = []
        self.loss = net.loss
        # the variables eval reports a gradient for
        self.nparams = len(self.nodes["y_in"]) + len(self.nodes["w"]) + len(self.nodes["b"])
        self.children[self.loss] = [(self.y(nl - 1, k), "loss") for k in range(1, Ls[-1].width + 1)]
        # forward-zero neurons (see the module docstring)
        self.fzero = set()
        for l, L in enumerate(Ls):
            if l == 0:
                continue
            for j in range(1, L.width + 1):
                if j in L.dead:
                    z = True
                elif L.act in ("relu", "identity", "tanh") and not L.bias:
                    z = True
                    for kind, p in L.inputs:
                        if kind == "dense":
                            z = z and all(self.y(p, i) in self.fzero for i in range(1, Ls[p].width + 1))
                        else:
                            z = z and self.y(p, j) in self.fzero
                else:
                    z = False
                if z:
                    self.fzero.add(self.y(l, j))
        # the y each weight multiplies: w[P][i][j] -> y[P][i]
        self.w_y = {}
        for p, l in net.w_into.items():
            for i in range(1, Ls[p].width + 1):
                for j in range(1, Ls[l].width + 1):
                    self.w_y[self.w(p, i, j)] = self.y(p, i)

    def edge_zero(self, parent, child, kind, stage):
        if stage == "chain":
            return False
        if kind == "act" and (parent, child) in self.dead_act:
            return True
        if stage == "forward" and kind == "jw" and self.w_y[child] in self.fzero:
            return True
        return False

    def count(self, of, ref, stage):
        memo = {}

        def c(v):
            if v == ref:
                return 1
            if v in memo:
                return memo[v]
            t = 0
            for u, k in self.children[v]:
                if not self.edge_zero(v, u, k, stage):
                    t += c(u)
            memo[v] = t
            return t
        return c(of)

    def paths(self, of, ref, stage):
        """All paths OF -> REF with no zero factor, in depth-first order."""
        out = []
        stack = [of]

        def dfs(v):
            if v == ref:
                out.append(list(stack))
                return
            for u, k in self.children[v]:
                if self.edge_zero(v, u, k, stage):
                    continue
                stack.append(u)
                dfs(u)
                stack.pop()
        dfs(of)
        return out

    def edge_mult(self, a, b):
        return sum(1 for u, _ in self.children.get(a, []) if u == b)


# ---------------------------------------------------------------- choosing refs

def choose_jobs(rng, model):
    """[(of or None, ref)]: None means the default OF (the loss)."""
    net = model.net
    Ls = net.layers
    nl = len(Ls)
    jobs = []
    pools = [k for k in ("w", "b", "x", "y_in", "y") if model.nodes[k]]
    picks = rng.sample(pools, min(len(pools), 3))
    for k in picks:
        jobs.append((None, rng.choice(model.nodes[k])[1]))
    # a random non-loss OF and a random REF (reachable or not)
    inner = model.nodes["x"] + model.nodes["y"]
    allnodes = [n for k in model.nodes for _, n in model.nodes[k]]
    if inner:
        jobs.append((rng.choice(inner)[1], rng.choice(allnodes)))
        # an OF deep in the net and a REF below it: usually reachable
        l, of = max(inner, key=lambda t: (t[0], rng.random()))
        below = [n for k in model.nodes for ll, n in model.nodes[k] if ll <= l]
        if below:
            jobs.append((of, rng.choice(below)))
        # unreachable: an x of any layer (or a y of an earlier layer) cannot
        # reach a y of the last layer
        cands = model.nodes["x"] + [t for t in model.nodes["y"] + model.nodes["y_in"] if t[0] < nl - 1]
        jobs.append((rng.choice(cands)[1], model.y(nl - 1, rng.randint(1, Ls[-1].width))))
    elif Ls[0].width >= 2:
        jobs.append((model.y(0, 1), model.y(0, 2)))
    if rng.random() < 0.15:                      # OF == REF
        n = rng.choice(allnodes + [model.loss])
        jobs.append((None if n == model.loss and rng.random() < 0.5 else n, n))
    if rng.random() < 0.2:                       # the loss explicitly as OF
        jobs.append((model.loss, rng.choice(allnodes)))
    return jobs


# ---------------------------------------------------------------- running

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.lines = []

    def check(self, ok, msg):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.lines.append(msg)
        return ok


def run(binary, args, text, use_stdin, path):
    try:
        return run1(binary, args, text, use_stdin, path)
    except OSError as e:           # e.g. the binary is being relinked
        return -1, "", "could not run %s: %s" % (binary, e)


def run1(binary, args, text, use_stdin, path):
    if use_stdin:
        cmd = [binary] + [args[0], "-"] + args[1:]
        p = subprocess.run(cmd, input=text.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    else:
        cmd = [binary] + [args[0], path] + args[1:]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def shq(s):
    return shlex.quote(s)


def test_net(binary, seed, idx, tmpdir):
    rng = random.Random("%d/%d" % (seed, idx))
    net = gen_net(rng)
    model = Model(net)
    res = Results()
    path = os.path.join(tmpdir, "net%d.net" % idx)
    with open(path, "w") as f:
        f.write(net.text)
    tag = "seed=%d net=%d" % (seed, idx)
    jobs = choose_jobs(rng, model)
    for of, ref in jobs:
        of_eff = of if of is not None else model.loss
        ofargs = ["--of", of] if of is not None else []
        use_stdin = rng.random() < 0.5
        where = "%s of=%s wrt=%s" % (tag, of_eff, ref)

        def cmdline(args):
            return "%s %s %s %s" % (os.path.basename(binary), args[0], "NETFILE",
                                    " ".join(shq(a) for a in args[1:]))

        def invoke(args):
            rc, out, err = run(binary, args, net.text, use_stdin, path)
            res.check(rc == 0 and err == "",
                      "FAIL %s: [exit/stderr] `%s` exited %d, stderr: %s"
                      % (where, cmdline(args), rc, err.strip()[:400] or "(empty)"))
            return rc, out
        # property 1: count
        want_all = model.count(of_eff, ref, "chain")
        args = ["count"] + ofargs + ["--wrt", ref]
        rc, out = invoke(args)
        if rc == 0:
            res.check(out.strip() == str(want_all),
                      "FAIL %s: [count==model] `%s` printed %r, the model counts %d paths"
                      % (where, cmdline(args), out.strip()[:200], want_all))
        if want_all > MAX_ENUM:
            continue
        chain_paths = model.paths(of_eff, ref, "chain")
        assert len(chain_paths) == want_all
        for stage in STAGES:
            args = ["derive"] + ofargs + ["--wrt", ref, "--stage", stage,
                                          "--format", "json", "--max-terms", "0"]
            rc, out = invoke(args)
            if rc != 0:
                continue
            sw = "%s stage=%s" % (where, stage)
            try:
                js = json.loads(out)
                terms = js["terms"]
                got = [t["path"] for t in terms]
                jcount = js["count"]
            except (ValueError, KeyError, TypeError) as e:
                res.check(False, "FAIL %s: [json] `%s` printed invalid JSON (%s): %r"
                          % (sw, cmdline(args), e, out[:300]))
                continue
            res.check(js.get("of") == of_eff and js.get("wrt") == ref and js.get("stage") == stage,
                      "FAIL %s: [json header] of/wrt/stage are %r/%r/%r"
                      % (sw, js.get("of"), js.get("wrt"), js.get("stage")))
            want = model.paths(of_eff, ref, stage)
            # JSON count == number of terms == the model's count
            res.check(isinstance(jcount, str) and jcount == str(len(terms)) == str(len(want)),
                      "FAIL %s: [count==terms==model] `%s`: JSON count %r, %d terms listed, "
                      "model: %d paths%s" % (sw, cmdline(args), jcount, len(terms), len(want),
                                             "" if stage == "chain" else " without a zero factor"))
            # every path is a real path OF -> REF
            bad = None
            for p in got:
                if not isinstance(p, list) or not p or p[0] != of_eff or p[-1] != ref:
                    bad = (p, "does not run from %s to %s" % (of_eff, ref))
                    break
                for a, b in zip(p, p[1:]):
                    if model.edge_mult(a, b) == 0:
                        bad = (p, "%s -> %s is not an edge" % (a, b))
                        break
                if bad:
                    break
            res.check(bad is None, "FAIL %s: [real paths] `%s`: path %s %s"
                      % (sw, cmdline(args), bad and bad[0], bad and bad[1]))
            if stage != "chain":
                # no dead neuron's activation edge
                hit = None
                for p in got:
                    for a, b in zip(p, p[1:]):
                        if (a, b) in model.dead_act:
                            hit = (p, a, b)
                            break
                    if hit:
                        break
                res.check(hit is None, "FAIL %s: [dead pair] `%s`: path %s goes through the "
                          "dead neuron %s -> %s" % (sw, cmdline(args), hit and hit[0],
                                                    hit and hit[1], hit and hit[2]))
            # the multiset of paths
            key = lambda p: json.dumps(p)
            gs = sorted(map(key, got))
            ws = sorted(map(key, want))
            same_set = gs == ws
            if not same_set:
                from collections import Counter
                cg, cw = Counter(gs), Counter(ws)
                extra = list((cg - cw).elements())[:3]
                missing = list((cw - cg).elements())[:3]
            res.check(same_set, "FAIL %s: [path multiset] `%s`: extra %s, missing %s (%d listed, "
                      "%d expected)" % (sw, cmdline(args), "" if same_set else extra,
                                        "" if same_set else missing, len(got), len(want)))
            # depth-first order
            if same_set:
                first = next((k for k in range(len(got)) if got[k] != want[k]), None)
                res.check(first is None,
                          "FAIL %s: [dfs order] `%s`: term %s is %s, expected %s"
                          % (sw, cmdline(args), first, first is not None and got[first],
                             first is not None and want[first]))
    # property 5: the gradient three ways.  On values drawn from a seed,
    # the sum over paths equals reverse mode to 1e-9 relative and central
    # finite differences agree to 1e-6 (`eval --check` exits 3 otherwise);
    # every weight, bias and input has a gradient.
    if model.loss is not None:
        args = ["eval", "--seed", str(rng.randrange(1 << 30)), "--check", "--format", "json"]
        rc, out, err = run(binary, args, net.text, False, path)
        ok = rc == 0 and err == ""
        detail = "exit %d, stderr: %s" % (rc, err.strip()[:300] or "(empty)")
        if ok:
            try:
                js = json.loads(out)
                chk = js["check"]
                nparams = len(js["grad"])
                ok = (chk["path_sum"]["worst_relative"] <= 1e-9
                      and chk["finite_differences"]["worst_relative"] <= 1e-6
                      and chk["path_sum"]["compared"] + chk["path_sum"]["skipped"] == nparams
                      and chk["finite_differences"]["compared"] == nparams
                      and nparams == model.nparams)
                detail = "check %r, %d gradients, model %d parameters" % (chk, nparams, model.nparams)
            except (ValueError, KeyError, TypeError) as e:
                ok, detail = False, "bad JSON: %s" % e
        res.check(ok, "FAIL %s: [three gradients] `%s NETFILE %s`: %s"
                  % (tag, os.path.basename(binary), " ".join(args), detail))
    if res.failed:
        os.makedirs(FAIL_DIR, exist_ok=True)
        keep = os.path.join(FAIL_DIR, "seed%d-net%d.net" % (seed, idx))
        with open(keep, "w") as f:
            f.write(net.text)
        res.lines = [l.replace("NETFILE", keep) for l in res.lines]
        listing = "\n".join("    | " + l for l in net.text.splitlines())
        res.lines.append("  (network %s saved to %s:)\n%s" % (tag, keep, listing))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("PATHGRAD", "./pathgrad"))
    ap.add_argument("--seed", type=int, default=20240527)
    ap.add_argument("--count", type=int, default=110)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin) if os.sep in a.bin else a.bin
    if os.sep in binary and not os.access(binary, os.X_OK):
        print("props: %s is not an executable" % binary, file=sys.stderr)
        print("props: 0 passed, 1 failed")
        return 1
    import tempfile
    t0 = time.time()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="pathgrad-props-") as tmpdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            futs = [ex.submit(test_net, binary, a.seed, i, tmpdir) for i in range(a.count)]
            for i, fu in enumerate(futs):
                try:
                    r = fu.result()
                except Exception as e:  # a bug in this script: count it, keep going
                    print("FAIL seed=%d net=%d: [internal] %r" % (a.seed, i, e))
                    failed += 1
                    continue
                for line in r.lines:
                    print(line)
                passed += r.passed
                failed += r.failed
    if a.verbose:
        print("props: %.1f s" % (time.time() - t0), file=sys.stderr)
    print("props: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
