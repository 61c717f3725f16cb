#!/usr/bin/env python3
"""classics.py -- property test of the new constructs, against an independent model.

Generates random *valid* .net programs that use every construct added with
the classic architectures (LANGUAGE.md):

  networks  widths 1-4, 2-6 layers; extra `layer X : N input;` layers
            anywhere; connections `dense(L)`, `skip(L)`, `dense(L) as P`
            (a connection's own family P[L][i][j]) and `dense(L) shared W`
            (tied weights W[i][j]: one family used by several layers, and
            by two connections of one layer, with the shape of its first
            use); biases; dead ReLU neurons; every activation `pathgrad
            --help` lists (softmax on narrow layers, hidden or last);
            `loss L;` and `loss L = sum|mse|xent;` (xent on a positive last
            layer: sigmoid, softplus or softmax -- the softmax+xent fold);
            `derive` statements of the loss and of inner neurons.
  graphs    indexed inputs (`x[1..T]`, `h[0]`, `W[1..d][1..d]`,
            `s[0][1..d]`); `for` loops, nested, with bounds that use the
            outer variable (`for i in 1..t`), definitions `h[t] = ...`,
            `h[t+1] = ...`, index arithmetic (h[t-1], h[t-2], x[2*t-1],
            W[i][j], v[i+j-1]) and loop variables as numbers; `sum(j in
            A..B, E)` and `prod(...)`, nested; recurrences of up to 20
            steps (tanh/sigmoid/gated/linear, second order); a mix of the
            known functions with arguments kept in their domain (log(1 +
            e^2), sqrt(1 + e^2), e / (2 + sin e), exp of a bounded e);
            top-level statements sometimes written out of order.  A graph
            with a value beyond 50 or a gradient beyond 200 on two draws of
            --seed's input distribution is drawn again (from the same seed):
            sin(4 * 2e4) or a chaotic 13-step recurrence defeats finite
            differences whatever pathgrad does.

For each program (each line below is one counted check):

  check       `pathgrad check` exits 0;
  fmt         `fmt` exits 0 and fmt of its output is byte-identical
              (idempotent); the formatted file has the same `count` output
              and the same `eval --seed K` loss (it means the same);
  three-way   `eval FILE --seed K --check --format json` exits 0, path_sum
              worst_relative <= 1e-9 and finite_differences worst_relative
              <= 1e-6, and every leaf of the model is compared (the number
              of gradients is the model's number of leaves: a tied weight
              is one leaf);
  forward     independent: every value eval prints for a computed variable
              (x, y, a graph's definitions) and the loss are recomputed here
              from the leaves' values in eval's JSON, by this file's own
              model of the program (loops unrolled, sum/prod written out,
              softmax, the losses), to ~1e-9 relative;
  reverse     independent: this file's own reverse mode over its own DAG of
              scalar nodes (softmax y^k -> every x^j, a tied weight one node
              reached once per use, -t/y for xent, ...) equals eval's
              "grad" for every leaf; and central differences of the model's
              forward pass agree with "grad" for a few leaves;
  values      networks with mse or xent (whose targets --seed does not
              print): the seed's leaves plus targets written here (a
              distribution under the fold) in a VALUES file, `eval --values
              --check` exits 0 within the tolerances, and forward and
              reverse agree with the model as above;
  count       `pathgrad count FILE` prints, for each derive statement of the
              file, "OF wrt REF: N" with N the number of paths in the
              model's DAG (paths per use of a tied weight; a softmax
              multiplies by its width); and `count --of OF --wrt REF` for
              another pair.

Program i of a run uses seed S+i (--seed, default 3100); by default every
other program instead takes its seed from a base that rotates with the time
(printed on the info line), so each run also tries programs no run tried.
A failure prints

    FAIL classics seed=S: [check] what

and saves the program to fuzz/artifacts/classics/seed-S.net (and .values);
`python3 tests/prop/classics.py --seed S --count 1 --no-rotate -v`
reproduces it.  The last line is `classics: P passed, F failed`.
Python 3 standard library only.
"""

import argparse
import collections
import concurrent.futures
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_KEEP = os.path.join(REPO, "fuzz", "artifacts", "classics")
DEFAULT_SEED = 3100

ACTS = ["identity", "relu", "sigmoid", "tanh", "leaky_relu", "softplus", "elu", "gelu", "swish"]
LAYER_ACTS = ["softmax"]
POSITIVE = ["sigmoid", "softplus", "softmax"]
FUNCS1 = ["exp", "log", "sin", "cos", "sqrt", "abs"]
FUNCS2 = ["max", "min"]
LOSSES = ["sum", "mse", "xent"]

PATH_TOL = 1e-9
FD_TOL = 1e-6

STATS = collections.Counter()
STATS_LOCK = threading.Lock()


def stat(*keys):
    with STATS_LOCK:
        for k in keys:
            STATS[k] += 1


# ====================================================================== math

def sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def softplus(a):
    return a + math.log1p(math.exp(-a)) if a > 0 else math.log1p(math.exp(a))


def Phi(a):
    return 0.5 * math.erfc(-a / math.sqrt(2.0))


def phi(a):
    return math.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)


def f_val(f, a):
    return {
        "identity": lambda: a,
        "relu": lambda: a if a > 0 else 0.0,
        "sigmoid": lambda: sigmoid(a),
        "tanh": lambda: math.tanh(a),
        "leaky_relu": lambda: a if a > 0 else 0.01 * a,
        "softplus": lambda: softplus(a),
        "elu": lambda: a if a > 0 else math.expm1(a),
        "gelu": lambda: a * Phi(a),
        "swish": lambda: a * sigmoid(a),
        "exp": lambda: math.exp(a),
        "log": lambda: math.log(a),
        "sin": lambda: math.sin(a),
        "cos": lambda: math.cos(a),
        "sqrt": lambda: math.sqrt(a),
        "abs": lambda: abs(a),
    }[f]()


def f_der(f, a):
    """The derivative, one-sided at a kink as LANGUAGE.md says."""
    if f == "identity":
        return 1.0
    if f == "relu":
        return 1.0 if a > 0 else 0.0
    if f == "sigmoid":
        s = sigmoid(a)
        return s * (1 - s)
    if f == "tanh":
        t = math.tanh(a)
        return 1 - t * t
    if f == "leaky_relu":
        return 1.0 if a > 0 else 0.01
    if f == "softplus":
        return sigmoid(a)
    if f == "elu":
        return 1.0 if a > 0 else math.exp(a)
    if f == "gelu":
        return Phi(a) + a * phi(a)
    if f == "swish":
        s = sigmoid(a)
        return s + a * s * (1 - s)
    if f == "exp":
        return math.exp(a)
    if f == "log":
        return 1.0 / a
    if f == "sin":
        return math.cos(a)
    if f == "cos":
        return -math.sin(a)
    if f == "sqrt":
        return 0.5 / math.sqrt(a)
    if f == "abs":
        return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)
    raise KeyError(f)


def softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    s = sum(e)
    return [v / s for v in e]


# ====================================================================== the DAG

class Dag:
    """Scalar nodes; kids[n] = [(child, d n / d child)] with multiplicity (one
    entry an edge).  order: every node after its children."""

    def __init__(self):
        self.val = {}
        self.kids = {}
        self.mag = {}
        self.order = []
        self.leaves = []

    def leaf(self, n, v):
        self.val[n] = v
        self.kids[n] = []
        self.mag[n] = abs(v)
        self.order.append(n)
        self.leaves.append(n)

    def node(self, n, v, kids, mag=None):
        self.val[n] = v
        self.kids[n] = kids
        self.mag[n] = abs(v) if mag is None else mag
        self.order.append(n)

    def count(self, of, ref):
        memo = {}
        # iterative over the topological order: paths from v to ref
        if of not in self.kids or ref not in self.kids:
            return None
        for n in self.order:
            if n == ref:
                memo[n] = 1
            else:
                memo[n] = sum(memo[c] for c, _ in self.kids[n])
            if n == of:
                break
        return memo[of]

    def reverse(self, of):
        adj = collections.defaultdict(float)
        adj[of] = 1.0
        for n in reversed(self.order):
            a = adj.get(n, 0.0)
            if a == 0.0:
                continue
            for c, d in self.kids[n]:
                adj[c] += a * d
        return {l: adj.get(l, 0.0) for l in self.leaves}


def close(a, b, rel, floor=0.0):
    if a is None or b is None or not isinstance(b, (int, float)):
        return False
    if isinstance(b, bool):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b)) + floor


# ====================================================================== networks

FAMILY_NAMES = ["P", "Q", "U", "V", "K", "Wh", "Wx", "R", "Proj", "Tied"]
LOSS_NAMES = ["L", "Loss", "E", "J", "cost"]


class Layer:
    def __init__(self, label, width):
        self.label = label
        self.width = width
        self.is_input = False
        self.act = "identity"
        self.act_written = None
        self.conns = []        # (kind, src index, mode, family) kind dense|skip, mode None|as|shared
        self.explicit = True
        self.bias = False
        self.dead = set()


class Net:
    def __init__(self):
        self.layers = []
        self.loss = "L"
        self.loss_kind = "sum"      # what eval computes
        self.loss_written = "sum"   # None: `loss L;`
        self.shared = {}            # family -> (rows, cols)
        self.derives = []           # (of, ref)
        self.text = ""

    def fold(self):
        return self.loss_kind == "xent" and self.layers[-1].act == "softmax" and not self.layers[-1].is_input


def net_labels(rng, n):
    style = rng.choice(["named", "int", "nminus", "L"])
    if style == "int":
        s = rng.randint(0, 2)
        return [str(s + k) for k in range(n)]
    if style == "nminus":
        return ["n" if k == n - 1 else "n-%d" % (n - 1 - k) for k in range(n)]
    if style == "L":
        return ["L%d" % k for k in range(n)] if rng.random() < 0.6 else ["L"] + ["L+%d" % k for k in range(1, n)]
    pool = ["in", "h", "h2", "g", "a", "z", "mid", "top", "enc", "dec", "x1", "x2", "s1", "s2"]
    rng.shuffle(pool)
    labs = pool[:n - 1] + ["out"]
    labs[0] = "in" if "in" not in labs[1:] else "inp"
    return labs


def random_layers(net, rng, nl, labels, as_fams, sh_fams):
    used_plain = set()           # sources whose plain weights are taken
    used_as = set()              # (family, src)
    for l in range(nl):
        L = Layer(labels[l], rng.randint(1, 4))
        net.layers.append(L)
        if l == 0:
            L.is_input = True
            continue
        if (l < nl - 1 and rng.random() < 0.25) or (l == nl - 1 and rng.random() < 0.02):
            L.is_input = True
            stat("net: extra input layer")
            continue
        # a width that an existing shared family can take
        if net.shared and rng.random() < 0.5:
            fam = rng.choice(sorted(net.shared))
            L.width = net.shared[fam][1]
        # activation
        if rng.random() < 0.15:
            L.act_written = None
        elif L.width <= 3 and rng.random() < 0.18:
            L.act_written = "softmax"
        else:
            L.act_written = rng.choice(ACTS)
        L.act = L.act_written or "identity"
        # inputs
        if rng.random() < 0.2:
            L.explicit = False
            L.conns = [("dense", l - 1, None, None)]
            used_plain.add(l - 1)
        else:
            cands = []
            for p in range(l):
                opts = []
                P = net.layers[p]
                w = 1.0 if p == l - 1 else 0.35
                if p not in used_plain:
                    opts.append((w, ("dense", p, None, None)))
                for f in as_fams:
                    if (f, p) not in used_as:
                        opts.append((w * 0.6, ("dense", p, "as", f)))
                for f in sh_fams:
                    shape = net.shared.get(f)
                    if shape is None or shape == (P.width, L.width):
                        opts.append((w * (1.5 if shape else 0.5), ("dense", p, "shared", f)))
                if P.width == L.width:
                    opts.append((w * 0.7, ("skip", p, None, None)))
                if opts and rng.random() < w + 0.15:
                    tot = sum(o[0] for o in opts)
                    r = rng.random() * tot
                    for wt, o in opts:
                        r -= wt
                        if r <= 0:
                            break
                    cands.append(o)
            if rng.random() < 0.35:
                # one shared family twice in one layer (two sources of one width)
                f = rng.choice(sh_fams)
                shape = net.shared.get(f)
                if shape is None or shape[1] == L.width:
                    taken = set(c[1] for c in cands)
                    srcs = [p for p in range(l) if p not in taken
                            and (shape is None or net.layers[p].width == shape[0])]
                    by_w = collections.defaultdict(list)
                    for p in srcs:
                        by_w[net.layers[p].width].append(p)
                    pairs = [v for v in by_w.values() if len(v) >= 2]
                    if pairs:
                        a, b = rng.sample(rng.choice(pairs), 2)
                        cands += [("dense", a, "shared", f), ("dense", b, "shared", f)]
                        stat("net: one shared family twice in a layer")
            # a shared family keeps the shape of its first use (also within this layer)
            shapes = dict(net.shared)
            kept = []
            for c in cands:
                if c[2] == "shared":
                    shp = (net.layers[c[1]].width, L.width)
                    if shapes.setdefault(c[3], shp) != shp:
                        continue
                kept.append(c)
            cands = kept
            if not cands:
                cands = [("dense", l - 1, None, None)]      # always free: only layer l can be first
            rng.shuffle(cands)
            L.conns = cands
            for kind, p, mode, f in cands:
                if kind != "dense":
                    stat("net: skip")
                elif mode is None:
                    used_plain.add(p)
                    stat("net: dense")
                elif mode == "as":
                    used_as.add((f, p))
                    stat("net: dense as")
                else:
                    net.shared.setdefault(f, (net.layers[p].width, L.width))
                    stat("net: dense shared")
        L.bias = rng.random() < 0.4
        if L.act == "relu" and L.act_written and rng.random() < 0.3:
            for j in range(1, L.width + 1):
                if rng.random() < 0.4:
                    L.dead.add(j)


def rnn_layers(net, rng, sh_fams, as_fams):
    """an RNN unrolled: h_t = act(dense(h_{t-1}) shared W + dense(x_t) shared U [bias]),
    sometimes an output layer dense(h_T) as V (or shared)"""
    stat("net: unrolled RNN")
    T = rng.randint(2, 4)
    H, X = rng.randint(1, 3), rng.randint(1, 3)
    W, U = sh_fams[0], sh_fams[1]
    act = rng.choice(ACTS)
    bias = rng.random() < 0.4
    L = Layer("h0", H)
    L.is_input = True
    net.layers.append(L)
    net.shared[W] = (H, H)
    net.shared[U] = (X, H)
    for t in range(1, T + 1):
        if rng.random() < 0.85:
            L = Layer("x%d" % t, X)
            L.is_input = True
            net.layers.append(L)
            xi = len(net.layers) - 1
        else:
            xi = None
        L = Layer("h%d" % t, H)
        L.act = L.act_written = act if rng.random() < 0.8 else rng.choice(ACTS)
        L.conns = [("dense", len(net.layers) - (2 if xi is not None else 1), "shared", W)]
        if xi is not None:
            L.conns.append(("dense", xi, "shared", U))
        if rng.random() < 0.5:
            L.conns.reverse()
        L.bias = bias
        net.layers.append(L)
        for c in L.conns:
            stat("net: dense shared")
    if rng.random() < 0.6:
        L = Layer("out", rng.randint(1, 3))
        L.act = L.act_written = rng.choice(ACTS + ["softmax"])
        L.conns = [("dense", len(net.layers) - 1, "as", as_fams[0])]
        L.bias = rng.random() < 0.5
        net.layers.append(L)
        stat("net: dense as")


def dense_block(net, rng, nl, labels, as_fams):
    """every layer takes every earlier one (DenseNet): the previous through
    plain weights, the others through `as` families"""
    stat("net: dense block")
    for l in range(nl):
        L = Layer(labels[l], rng.randint(1, 3))
        net.layers.append(L)
        if l == 0:
            L.is_input = True
            continue
        L.act = L.act_written = rng.choice(ACTS + ["softmax"] if L.width <= 3 else ACTS)
        L.conns = [("dense", l - 1, None, None)] + [("dense", p, "as", "%s%d" % (as_fams[0], l)) for p in range(l - 1)]
        rng.shuffle(L.conns)
        L.bias = rng.random() < 0.4
        for c in L.conns:
            stat("net: dense" if c[2] is None else "net: dense as")


def gen_net(rng):
    net = Net()
    nl = rng.randint(2, 6)
    labels = net_labels(rng, nl)
    net.loss = rng.choice(LOSS_NAMES)
    fams = [f for f in FAMILY_NAMES if f != net.loss]
    rng.shuffle(fams)
    as_fams = fams[:2]
    sh_fams = fams[2:4]
    r0 = rng.random()
    if r0 < 0.15:
        rnn_layers(net, rng, sh_fams, as_fams)
    elif r0 < 0.25:
        dense_block(net, rng, nl, labels, as_fams)
    else:
        random_layers(net, rng, nl, labels, as_fams, sh_fams)
    # sanity of the generator: a shared family used more than once?
    uses = collections.Counter(c[3] for L in net.layers for c in L.conns if c[2] == "shared")
    for f, n in uses.items():
        if n > 1:
            stat("net: shared family used %s" % ("2 times" if n == 2 else ">2 times"))
    # the loss
    last = net.layers[-1]
    r = rng.random()
    if last.is_input:
        kind = rng.choice(["sum", "mse"])
    elif r < 0.4:
        kind = "xent"
        if last.act not in POSITIVE:
            if last.width <= 4 and rng.random() < 0.55:
                last.act = last.act_written = "softmax"
            else:
                last.act = last.act_written = rng.choice(["sigmoid", "softplus"])
            last.dead = set()
    elif r < 0.7:
        kind = "mse"
    else:
        kind = "sum"
    net.loss_kind = kind
    net.loss_written = None if kind == "sum" and rng.random() < 0.25 else kind
    for L in net.layers:
        if L.act == "softmax":
            stat("net: softmax " + ("last" if L is last else "hidden"))
    stat("net: loss " + (net.loss_written or "abstract"))
    if net.fold():
        stat("net: softmax+xent fold")
    for L in net.layers:
        if L.bias:
            stat("net: bias")
            break
    for L in net.layers[1:]:
        if not L.is_input:
            stat("net act: " + L.act)
    return net


def net_model(net, vals, targets):
    """The DAG of the network from the leaves' values; returns (dag, computed)
    where computed maps every x, y and the loss to the model's value."""
    Ls = net.layers
    d = Dag()
    comp = {}

    def y(l, j):
        return "y[%s][%d]" % (Ls[l].label, j)

    def x(l, j):
        return "x[%s][%d]" % (Ls[l].label, j)

    def wname(kind_mode, fam, p, l, i, j):
        if kind_mode is None:
            return "w[%s][%d][%d]" % (Ls[p].label, i, j)
        if kind_mode == "as":
            return "%s[%s][%d][%d]" % (fam, Ls[p].label, i, j)
        return "%s[%d][%d]" % (fam, i, j)

    # leaves: every input y, every weight, every bias (order irrelevant)
    for l, L in enumerate(Ls):
        if L.is_input:
            for j in range(1, L.width + 1):
                d.leaf(y(l, j), vals[y(l, j)])
    seen = set()
    for l, L in enumerate(Ls):
        for kind, p, mode, fam in L.conns:
            if kind != "dense":
                continue
            for i in range(1, Ls[p].width + 1):
                for j in range(1, L.width + 1):
                    n = wname(mode, fam, p, l, i, j)
                    if n not in seen:
                        seen.add(n)
                        d.leaf(n, vals[n])
        if L.bias:
            for j in range(1, L.width + 1):
                n = "b[%s][%d]" % (L.label, j)
                d.leaf(n, vals[n])
    for l, L in enumerate(Ls):
        if L.is_input:
            continue
        xs = []
        for j in range(1, L.width + 1):
            kids = []
            v = 0.0
            mag = 0.0
            for kind, p, mode, fam in L.conns:
                if kind == "dense":
                    for i in range(1, Ls[p].width + 1):
                        wn = wname(mode, fam, p, l, i, j)
                        yn = y(p, i)
                        kids.append((wn, d.val[yn]))
                        kids.append((yn, d.val[wn]))
                        v += d.val[wn] * d.val[yn]
                        mag += abs(d.val[wn] * d.val[yn])
                else:
                    yn = y(p, j)
                    kids.append((yn, 1.0))
                    v += d.val[yn]
                    mag += abs(d.val[yn])
            if L.bias:
                bn = "b[%s][%d]" % (L.label, j)
                kids.append((bn, 1.0))
                v += d.val[bn]
                mag += abs(d.val[bn])
            d.node(x(l, j), v, kids, mag)
            comp[x(l, j)] = v
            xs.append(v)
        if L.act == "softmax":
            ys = softmax(xs)
            for k in range(1, L.width + 1):
                kids = [(x(l, jj), ys[k - 1] * ((1.0 if jj == k else 0.0) - ys[jj - 1]))
                        for jj in range(1, L.width + 1)]
                d.node(y(l, k), ys[k - 1], kids, 1.0)
                comp[y(l, k)] = ys[k - 1]
        else:
            for j in range(1, L.width + 1):
                a = xs[j - 1]
                if j in L.dead:
                    v, dv = 0.0, 0.0
                else:
                    v, dv = f_val(L.act, a), f_der(L.act, a)
                d.node(y(l, j), v, [(x(l, j), dv)], max(abs(v), d.mag[x(l, j)] * abs(dv)))
                comp[y(l, j)] = v
    last = len(Ls) - 1
    kids = []
    v = 0.0
    mag = 0.0
    for k in range(1, Ls[last].width + 1):
        yv = d.val[y(last, k)]
        if net.loss_kind == "sum":
            v += yv
            kids.append((y(last, k), 1.0))
            mag += abs(yv)
        elif net.loss_kind == "mse":
            t = targets[k]
            v += 0.5 * (yv - t) ** 2
            kids.append((y(last, k), yv - t))
            mag += 0.5 * (yv - t) ** 2
        else:
            t = targets[k]
            v -= t * math.log(yv)
            kids.append((y(last, k), -t / yv))
            mag += abs(t * math.log(yv))
    d.node(net.loss, v, kids, mag)
    comp[net.loss] = v
    return d, comp


def net_refs(net):
    """Candidate REFs of derive statements: leaves (by kind) and inner nodes."""
    Ls = net.layers
    out = collections.defaultdict(list)
    for l, L in enumerate(Ls):
        for j in range(1, L.width + 1):
            if L.is_input:
                out["input"].append("y[%s][%d]" % (L.label, j))
            else:
                out["inner"].append("x[%s][%d]" % (L.label, j))
                out["inner"].append("y[%s][%d]" % (L.label, j))
                if L.bias:
                    out["bias"].append("b[%s][%d]" % (L.label, j))
        for kind, p, mode, fam in L.conns:
            if kind != "dense":
                continue
            for i in range(1, Ls[p].width + 1):
                for j in range(1, L.width + 1):
                    if mode is None:
                        out["w"].append("w[%s][%d][%d]" % (Ls[p].label, i, j))
                    elif mode == "as":
                        out["as"].append("%s[%s][%d][%d]" % (fam, Ls[p].label, i, j))
                    else:
                        out["shared"].append("%s[%d][%d]" % (fam, i, j))
    return out


def render_net(net, rng):
    lines = ["# classics.py: a random network", "network %s {" % rng.choice(["net", "rnn", "n", "model"])]
    deads = []
    for l, L in enumerate(net.layers):
        s = "layer %s : %d" % (L.label, L.width)
        if L.is_input:
            s += " input" if l > 0 else ""
        else:
            if L.act_written:
                s += " " + L.act_written
            if L.explicit:
                parts = []
                for kind, p, mode, fam in L.conns:
                    t = "%s(%s)" % (kind, net.layers[p].label)
                    if mode:
                        t += " %s %s" % (mode, fam)
                    parts.append(t)
                s += " = " + " + ".join(parts)
            if L.bias:
                s += " bias"
        lines.append(s + ";")
        for j in sorted(L.dead):
            deads.append("dead y[%s][%d];" % (L.label, j))
    lines.append("loss %s%s;" % (net.loss, "" if net.loss_written is None else " = " + net.loss_written))
    lines += deads
    for of, ref in net.derives:
        lines.append("derive %s wrt %s;" % (of, ref))
    out = [lines[0], lines[1]] + [scramble(rng, "    " + s) for s in lines[2:]] + ["}"]
    return "\n".join(out) + "\n"


def scramble(rng, line):
    """A little layout noise for fmt to undo."""
    r = rng.random()
    if r < 0.1:
        line = line.replace(" : ", ":").replace(" = ", "=")
    elif r < 0.15:
        line = "  " + line.replace(", ", " ,  ")
    elif r < 0.2:
        line = line + "   # note"
    return line


# ====================================================================== graphs
# expression AST:
#   ("num", text) ("ivar", name) ("ref", name, [iexpr]) ("neg", e)
#   ("bin", op, a, b) ("pow", e, k) ("call", f, [args]) ("sum"|"prod", var, lo, hi, body)
# index expressions: ("i", n) ("v", name) ("ib", op, a, b)
# statements: ("def", name, [iexpr], e) ("for", var, lo, hi, [stmts])

def I(n):
    return ("i", n)


def V(name):
    return ("v", name)


def IB(op, a, b):
    return ("ib", op, a, b)


def NUM(x):
    return ("num", x)


def REF(name, *idx):
    return ("ref", name, list(idx))


def BIN(op, a, b):
    return ("bin", op, a, b)


def CALL(f, *args):
    return ("call", f, list(args))


def ival(e, env):
    k = e[0]
    if k == "i":
        return e[1]
    if k == "v":
        return env[e[1]]
    a, b = ival(e[2], env), ival(e[3], env)
    return a + b if e[1] == "+" else a - b if e[1] == "-" else a * b


def ishow(e):
    k = e[0]
    if k == "i":
        return str(e[1])
    if k == "v":
        return e[1]
    op = e[1]
    a = ishow(e[2])
    b = ishow(e[3])
    if op == "*":
        if e[2][0] == "ib" and e[2][1] != "*":
            a = "(%s)" % a
        if e[3][0] == "ib":
            b = "(%s)" % b
    elif e[3][0] == "ib":
        b = "(%s)" % b
    return "%s %s %s" % (a, op, b)


def iconst(rng, n):
    """the integer n, sometimes written as index arithmetic: 2 * 3, 7 - 1, (n + 1) - 1"""
    r = rng.random()
    if r < 0.6:
        return I(n)
    stat("graph: arithmetic in a loop bound")
    if r < 0.75 and n % 2 == 0 and n > 0:
        return IB("*", I(2), I(n // 2))
    if r < 0.9:
        return IB("-", I(n + 1), I(1))
    return IB("+", IB("*", I(1), I(n)), I(0))


PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


def show(e, rng=None):
    """(text, precedence): 1 + -, 2 * /, 3 unary minus, 4 ^, 5 primary."""
    k = e[0]
    if k == "num":
        return e[1], 5
    if k == "ivar":
        return e[1], 5
    if k == "ref":
        return e[1] + "".join("[%s]" % ishow(i) for i in e[2]), 5
    if k == "neg":
        t, p = show(e[1], rng)
        if p < 3:
            t = "(%s)" % t
        return "-" + t, 3
    if k == "bin":
        op = e[1]
        a, pa = show(e[2], rng)
        b, pb = show(e[3], rng)
        q = PREC[op]
        if pa < q or pa == 3:
            a = "(%s)" % a
        if pb <= q or pb == 3:
            b = "(%s)" % b
        elif rng is not None and rng.random() < 0.05:
            b = "(%s)" % b      # a redundant pair for fmt to remove
        return "%s %s %s" % (a, op, b), q
    if k == "pow":
        a, pa = show(e[1], rng)
        if pa < 5:
            a = "(%s)" % a
        return "%s^%d" % (a, e[2]) if e[2] >= 0 else "%s^-%d" % (a, -e[2]), 4
    if k == "call":
        return "%s(%s)" % (e[1], ", ".join(show(a, rng)[0] for a in e[2])), 5
    if k in ("sum", "prod"):
        return "%s(%s in %s..%s, %s)" % (k, e[1], ishow(e[2]), ishow(e[3]), show(e[4], rng)[0]), 5
    raise ValueError(e)


def cname(name, idx):
    return name + "".join("[%d]" % i for i in idx)


def ev(e, env, vals):
    """(value, partials): partials an ordered dict name -> d e / d name; every
    name that occurs is a key (an edge), even where its partial is 0."""
    k = e[0]
    if k == "num":
        return float(e[1]), {}
    if k == "ivar":
        return float(env[e[1]]), {}
    if k == "ref":
        n = cname(e[1], [ival(i, env) for i in e[2]])
        if n not in vals:
            raise KeyError("model: %s used before it is defined" % n)
        return vals[n], {n: 1.0}
    if k == "neg":
        v, d = ev(e[1], env, vals)
        return -v, {n: -g for n, g in d.items()}
    if k == "bin":
        a, da = ev(e[2], env, vals)
        b, db = ev(e[3], env, vals)
        op = e[1]
        if op == "+":
            return a + b, comb(da, 1.0, db, 1.0)
        if op == "-":
            return a - b, comb(da, 1.0, db, -1.0)
        if op == "*":
            return a * b, comb(da, b, db, a)
        return a / b, comb(da, 1.0 / b, db, -a / (b * b))
    if k == "pow":
        a, da = ev(e[1], env, vals)
        n = e[2]
        return a ** n, {m: n * a ** (n - 1) * g for m, g in da.items()}
    if k == "call":
        f = e[1]
        if f in ("max", "min"):
            a, da = ev(e[2][0], env, vals)
            b, db = ev(e[2][1], env, vals)
            first = (a >= b) if f == "max" else (a <= b)
            return (a if first else b), comb(da, 1.0 if first else 0.0, db, 0.0 if first else 1.0)
        a, da = ev(e[2][0], env, vals)
        fd = f_der(f, a)
        return f_val(f, a), {m: fd * g for m, g in da.items()}
    if k in ("sum", "prod"):
        lo, hi = ival(e[2], env), ival(e[3], env)
        v = 0.0 if k == "sum" else 1.0
        d = {}
        for j in range(lo, hi + 1):
            env2 = dict(env)
            env2[e[1]] = j
            b, db = ev(e[4], env2, vals)
            if k == "sum":
                d = comb(d, 1.0, db, 1.0)
                v += b
            else:
                d = comb(d, b, db, v)
                v *= b
        return v, d
    raise ValueError(e)


def comb(da, ca, db, cb):
    out = {}
    for n, g in da.items():
        out[n] = g * ca
    for n, g in db.items():
        out[n] = out.get(n, 0.0) + g * cb
    return out


class G:
    """A graph under construction."""

    def __init__(self, rng):
        self.rng = rng
        self.inputs = []       # (name, [(lo, hi)]) declarations
        self.leaves = []       # concrete leaf names
        self.stmts = []        # top-level statements (model order)
        self.exports = []      # ASTs of concrete scalars for the output
        self.arrays = []       # (lo, hi, fn(iexpr) -> AST)
        self.names = set()
        self.derives = []
        self.inner = []        # concrete defined names (for derive OF)

    def fresh(self, base):
        for suf in [""] + [str(k) for k in range(1, 50)]:
            n = base + suf
            if n not in self.names:
                self.names.add(n)
                return n
        raise RuntimeError("names")

    def declare(self, name, *ranges):
        self.inputs.append((name, list(ranges)))

        def rec(prefix, rs):
            if not rs:
                self.leaves.append(prefix)
                return
            lo, hi = rs[0]
            for i in range(lo, hi + 1):
                rec(prefix + "[%d]" % i, rs[1:])
        rec(name, list(ranges))


BOUNDED = ["tanh", "sigmoid", "sin", "cos"]
LINEARISH = ["relu", "leaky_relu", "elu", "gelu", "swish", "softplus", "identity", "abs"]


def small_num(rng):
    return NUM(rng.choice(["0.5", "2", "1.5", "0.25", "3", "0.1", "1e-1", "2.0"]))


class ExprGen:
    def __init__(self, rng):
        self.rng = rng
        self.varn = 0

    def safe_pos(self, e):
        """an expression >= some positive bound, from e"""
        r = self.rng.random()
        if r < 0.35:
            return BIN("+", NUM("1"), ("pow", e, 2))
        if r < 0.6:
            return BIN("+", NUM("2"), CALL(self.rng.choice(["sin", "cos", "tanh"]), e))
        if r < 0.8:
            return BIN("+", NUM("1"), CALL("sigmoid", e))
        return BIN("+", NUM("0.5"), CALL("softplus", e))

    def bounded(self, e):
        return CALL(self.rng.choice(BOUNDED), e)

    def gen(self, atoms, depth, arrays=()):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.2:
            if rng.random() < 0.12:
                return small_num(rng)
            return rng.choice(atoms)
        r = rng.random()
        sub = lambda: self.gen(atoms, depth - 1, arrays)
        if r < 0.22:
            return BIN(rng.choice("+-"), sub(), sub())
        if r < 0.36:
            return BIN("*", sub(), sub())
        if r < 0.42:
            return BIN("/", sub(), self.safe_pos(sub()))
        if r < 0.47:
            return ("pow", sub(), rng.choice([2, 2, 3]))
        if r < 0.5:
            return ("pow", self.safe_pos(sub()), rng.choice([-1, -2]))
        if r < 0.62:
            return self.bounded(sub())
        if r < 0.7:
            return CALL(rng.choice(LINEARISH), sub())
        if r < 0.74:
            return CALL("exp", self.bounded(sub()))
        if r < 0.8:
            return CALL(rng.choice(["log", "sqrt"]), self.safe_pos(sub()))
        if r < 0.85:
            return CALL(rng.choice(FUNCS2), sub(), sub())
        if r < 0.88:
            return ("neg", sub())
        if arrays and r < 0.97:
            return self.reduce(atoms, depth - 1, arrays)
        return self.bounded(sub())

    def reduce(self, atoms, depth, arrays):
        rng = self.rng
        lo, hi, fn = rng.choice(arrays)
        self.varn += 1
        var = rng.choice(["j", "k", "n", "l"]) + ("" if self.varn == 1 else str(self.varn))
        a = rng.randint(lo, hi)
        b = rng.randint(a, min(hi, a + 5))
        if rng.random() < 0.07:
            b = a - 1            # an empty range: 0 (1)
            stat("graph: empty sum/prod range")
        inner = atoms + [fn(V(var)), fn(V(var))]
        if rng.random() < 0.2:
            inner = inner + [BIN("*", NUM("0.1"), ("ivar", var))]
        body = self.gen(inner, min(depth, 2), [])
        if fn(V(var)) is not None and not mentions(body, var):
            body = BIN("*", body, fn(V(var)))
        if rng.random() < 0.55:
            stat("graph: sum")
            return ("sum", var, I(a), I(b), body)
        stat("graph: prod")
        return ("prod", var, I(a), I(b), BIN("+", NUM("1"), BIN("*", NUM("0.5"), self.bounded(body))))


def mentions(e, var):
    if e[0] in ("v", "ivar"):
        return e[1] == var
    if e[0] in ("i", "num"):
        return False
    if e[0] == "ref":
        return any(mentions(i, var) for i in e[2])
    if e[0] == "ib":
        return mentions(e[2], var) or mentions(e[3], var)
    if e[0] == "neg":
        return mentions(e[1], var)
    if e[0] == "bin":
        return mentions(e[2], var) or mentions(e[3], var)
    if e[0] == "pow":
        return mentions(e[1], var)
    if e[0] == "call":
        return any(mentions(a, var) for a in e[2])
    return mentions(e[2], var) or mentions(e[3], var) or mentions(e[4], var)


def mod_scalar_rec(g, eg):
    """h[t] = F(... h[t-1] ... x[t] ...), t = 1..T, T up to 20; variants:
    offset h[t+1] = f(h[t]), second order h[t-2], x[2*t-1], gated."""
    rng = g.rng
    T = rng.randint(2, 20)
    h = g.fresh(rng.choice(["h", "s", "r"]))
    x = g.fresh(rng.choice(["x", "u", "e"]))
    a = g.fresh(rng.choice(["w", "a", "c"]))
    b = g.fresh(rng.choice(["v", "b_", "kk"]))
    variant = rng.choice(["plain", "offset", "second", "pairs", "gated", "linear"])
    stat("graph: recurrence " + variant)
    t = rng.choice(["t", "step", "tt"])
    tv = V(t)
    order2 = variant == "second"
    g.declare(h, (0, 1) if order2 else (0, 0))
    g.declare(x, (1, 2 * T) if variant == "pairs" else (1, T))
    g.declare(a)
    g.declare(b)
    start = 2 if order2 else 1
    prev = REF(h, IB("-", tv, I(1)))
    xt = REF(x, tv)
    lhs = [tv]
    if variant == "offset":
        prev = REF(h, tv)
        xt = REF(x, IB("+", tv, I(1)))
        lhs = [IB("+", tv, I(1))]
        lo, hi = 0, T - 1
    else:
        lo, hi = start, T
    atoms = [prev, xt, REF(a), REF(b)]
    if variant == "pairs":
        odd = IB("-", IB("*", I(2), tv), I(1)) if rng.random() < 0.5 else \
            IB("+", IB("*", I(2), IB("-", tv, I(1))), I(1))
        atoms += [REF(x, odd), REF(x, IB("*", I(2), tv))]
        atoms.remove(xt)
    if order2:
        atoms.append(REF(h, IB("-", tv, I(2))))
    if rng.random() < 0.3:
        atoms.append(BIN("*", NUM("0.05"), ("ivar", t)))
        stat("graph: loop variable as a number")
    body = []
    if variant == "gated":
        f = g.fresh("f")
        body.append(("def", f, [tv], CALL("sigmoid", BIN("+", BIN("*", REF(a), prev), eg.gen(atoms, 1)))))
        fe = REF(f, tv)
        body.append(("def", h, lhs, BIN("+", BIN("*", fe, prev),
                                         BIN("*", BIN("-", NUM("1"), fe), CALL("tanh", eg.gen(atoms, 2))))))
    elif variant == "linear":
        body.append(("def", h, lhs, BIN("+", BIN("*", BIN("*", NUM("0.5"), REF(a)), prev),
                                         BIN("*", REF(b), xt))))
    else:
        inner = eg.gen(atoms, 2)
        if not mentions(inner, t) or rng.random() < 0.5:
            inner = BIN("+", BIN("*", REF(a), atoms[0] if not order2 else BIN("+", prev, atoms[-1])), inner)
        body.append(("def", h, lhs, CALL(rng.choice(["tanh", "sigmoid", "sin"]), inner)))
    if rng.random() < 0.4:
        # reversed body order: a definition may use one defined later
        body.reverse()
    g.stmts.append(("for", t, iconst(rng, lo), iconst(rng, hi), body, variant == "gated"))
    g.exports.append(REF(h, I(T)))
    if T > 3 and rng.random() < 0.5:
        g.exports.append(REF(h, I(T // 2)))
    g.arrays.append((1 if not order2 else 2, T, lambda j, h=h: REF(h, j)))
    g.arrays.append((1, T, lambda j, x=x: REF(x, j)))
    g.inner.append(cname(h, [T]))
    return T


def mod_vec_rnn(g, eg):
    """s[t][i] = F(sum(j in 1..d, W[i][j] * s[t-1][j]) + ...)"""
    rng = g.rng
    d = rng.randint(1, 3)
    T = rng.randint(1, {1: 12, 2: 7, 3: 4}[d])
    s = g.fresh(rng.choice(["s", "st", "z"]))
    W = g.fresh(rng.choice(["W", "M"]))
    x = g.fresh(rng.choice(["x", "in_"]))
    g.declare(s, (0, 0), (1, d))
    g.declare(W, (1, d), (1, d))
    g.declare(x, (1, T))
    t, i, j = "t", "i", rng.choice(["j", "jj"])
    prev = lambda jj: REF(s, IB("-", V(t), I(1)), jj)
    mat = BIN("*", REF(W, V(i), V(j)), prev(V(j)))
    extra = eg.gen([REF(x, V(t)), prev(V(i)), BIN("*", NUM("0.1"), ("ivar", i))], 1)
    body = ("def", s, [V(t), V(i)], CALL(rng.choice(["tanh", "sigmoid"]),
                                         BIN("+", ("sum", j, I(1), I(d), mat), extra)))
    g.stmts.append(("for", t, I(1), I(T), [("for", i, I(1), I(d), [body], False)], False))
    stat("graph: nested for", "graph: sum")
    for k in range(1, d + 1):
        if rng.random() < 0.6 or k == 1:
            g.exports.append(REF(s, I(T), I(k)))
    g.arrays.append((1, d, lambda jj, s=s, T=T: REF(s, I(T), jj)))
    g.inner.append(cname(s, [T, 1]))


def mod_triangle(g, eg):
    """for t in 1..n { for i in 1..t { c[t][i] = E(z[i], z[t]) } r[t] = sum(i in 1..t, c[t][i]) }"""
    rng = g.rng
    n = rng.randint(1, 5)
    z = g.fresh(rng.choice(["z", "p"]))
    c = g.fresh("c")
    r = g.fresh(rng.choice(["rr", "tot"]))
    g.declare(z, (1, n))
    t, i = "t", "i"
    e = eg.gen([REF(z, V(i)), REF(z, V(t)), BIN("*", NUM("0.1"), ("ivar", i)), ("ivar", t)], 2)
    inner = [("for", i, I(1), V(t), [("def", c, [V(t), V(i)], e)], False)]
    sm = ("sum", "k", I(1), V(t), REF(c, V(t), V("k")))
    inner.append(("def", r, [V(t)], sm))
    if rng.random() < 0.5:
        inner.reverse()
    g.stmts.append(("for", t, I(1), iconst(rng, n), inner, False))
    stat("graph: nested for", "graph: bound from an outer variable", "graph: sum")
    g.exports.append(REF(r, I(n)))
    g.arrays.append((1, n, lambda jj, r=r: REF(r, jj)))
    g.inner.append(cname(r, [n]))


def mod_hankel(g, eg):
    """M[i][j] = A[i][j] * v[i+j-1] + ...; q = sum(i, sum(j, M[i][j] * v[i]))"""
    rng = g.rng
    m = rng.randint(1, 3)
    A = g.fresh("A")
    v = g.fresh(rng.choice(["v", "vv"]))
    M = g.fresh("Mx")
    q = g.fresh("q")
    g.declare(A, (1, m), (1, m))
    if rng.random() < 0.5:
        g.declare(v, (1, 2 * m - 1))
        vi = REF(v, IB("-", IB("+", V("i"), V("j")), I(1)))
    else:
        g.declare(v, (1, m * m))
        vi = REF(v, IB("+", IB("*", IB("-", V("i"), I(1)), I(m)), V("j")))     # v[(i - 1) * m + j]
        stat("graph: index arithmetic (i-1)*m+j")
    e = BIN("+", BIN("*", REF(A, V("i"), V("j")), vi), eg.gen([REF(A, V("j"), V("i")), vi], 1))
    g.stmts.append(("for", "i", I(1), I(m), [("for", "j", I(1), I(m), [("def", M, [V("i"), V("j")], e)], False)],
                    False))
    quad = ("sum", "i", I(1), I(m), ("sum", "j", I(1), I(m), BIN("*", REF(M, V("i"), V("j")), REF(v, V("i")))))
    g.stmts.append(("def", q, [], quad))
    stat("graph: nested for", "graph: nested sum")
    g.exports.append(REF(q))
    g.arrays.append((1, m, lambda jj, v=v: REF(v, jj)))
    g.inner.append(q)


def mod_scalars(g, eg):
    """a few plain definitions over what exists, one of them indexed outside a loop"""
    rng = g.rng
    if not g.exports or rng.random() < 0.3:
        u = g.fresh(rng.choice(["u", "a", "bb"]))
        g.declare(u)
        g.exports.append(REF(u))
    atoms = list(g.exports)
    for k in range(rng.randint(1, 3)):
        e = eg.gen(atoms, rng.randint(1, 3), g.arrays)
        if rng.random() < 0.3:
            n = g.fresh("y")
            idx = [I(rng.randint(0, 3))]
            stat("graph: indexed definition outside a loop")
        else:
            n = g.fresh(rng.choice(["mm", "d", "o", "f"]))
            idx = []
        g.stmts.append(("def", n, idx, e))
        ref = REF(n, *idx)
        atoms.append(ref)
        g.exports.append(ref)
        g.inner.append(cname(n, [i[1] for i in idx]))


def gen_graph(rng):
    g = G(rng)
    eg = ExprGen(rng)
    mods = [mod_scalar_rec, mod_vec_rnn, mod_triangle, mod_hankel]
    k = rng.randint(1, 3)
    for m in rng.sample(mods, k) if rng.random() < 0.8 else [rng.choice(mods)] * 2:
        m(g, eg)
    if rng.random() < 0.6:
        mod_scalars(g, eg)
    # the output uses every export
    ex = list(g.exports)
    rng.shuffle(ex)
    terms = []
    while ex:
        part = ex[:rng.randint(1, 2)]
        ex = ex[len(part):]
        e = part[0] if len(part) == 1 else BIN(rng.choice("+*"), part[0], part[1])
        if rng.random() < 0.5:
            e = eg.gen([e], 1, g.arrays)
            if not any(mentions_ref(e, p) for p in part):
                e = BIN("+", e, part[0] if len(part) == 1 else BIN("+", part[0], part[1]))
        terms.append(e)
    if rng.random() < 0.4 and g.arrays:
        terms.append(eg.reduce([], 1, g.arrays))
    out = terms[0]
    for tm in terms[1:]:
        out = BIN(rng.choice("+-"), out, tm)
    g.out = g.fresh("out") if rng.random() < 0.5 else g.fresh("loss_")
    g.stmts.append(("def", g.out, [], out))
    return g


def mentions_ref(e, r):
    if e == r:
        return True
    if e[0] == "neg":
        return mentions_ref(e[1], r)
    if e[0] == "bin":
        return mentions_ref(e[2], r) or mentions_ref(e[3], r)
    if e[0] == "pow":
        return mentions_ref(e[1], r)
    if e[0] == "call":
        return any(mentions_ref(a, r) for a in e[2])
    if e[0] in ("sum", "prod"):
        return mentions_ref(e[4], r)
    return False


def unroll(stmts, env, out):
    """concrete definitions (name, expr, env) in dependency order: a loop body
    whose statements are reversed in the file is unrolled in generation order."""
    for s in stmts:
        if s[0] == "def":
            out.append((cname(s[1], [ival(i, env) for i in s[2]]), s[3], dict(env)))
        else:
            var, lo, hi, body = s[1], s[2], s[3], s[4]
            for v in range(ival(lo, env), ival(hi, env) + 1):
                env2 = dict(env)
                env2[var] = v
                unroll(body, env2, out)


def order_defs(defs, leaves):
    """topological order (a body written reversed defines f[t] after h[t] uses it)"""
    pending = list(defs)
    known = set(leaves)
    done = []
    while pending:
        rest = []
        progress = False
        for n, e, env in pending:
            deps = set()
            names_of(e, env, deps)
            if deps <= known:
                done.append((n, e, env))
                known.add(n)
                progress = True
            else:
                rest.append((n, e, env))
        if not progress:
            raise RuntimeError("model: cycle or undefined name among %s" % [r[0] for r in rest][:5])
        pending = rest
    return done


def names_of(e, env, out):
    k = e[0]
    if k == "ref":
        out.add(cname(e[1], [ival(i, env) for i in e[2]]))
    elif k == "neg":
        names_of(e[1], env, out)
    elif k == "bin":
        names_of(e[2], env, out)
        names_of(e[3], env, out)
    elif k == "pow":
        names_of(e[1], env, out)
    elif k == "call":
        for a in e[2]:
            names_of(a, env, out)
    elif k in ("sum", "prod"):
        for j in range(ival(e[2], env), ival(e[3], env) + 1):
            env2 = dict(env)
            env2[e[1]] = j
            names_of(e[4], env2, out)


def graph_model(g, vals):
    d = Dag()
    for l in g.leaves:
        d.leaf(l, vals[l])
    defs = []
    unroll(g.stmts, {}, defs)
    defs = order_defs(defs, g.leaves)
    comp = {}
    cur = dict((l, vals[l]) for l in g.leaves)
    for n, e, env in defs:
        v, parts = ev(e, env, cur)
        mag = abs(v) + sum(abs(p * cur[m]) for m, p in parts.items())
        d.node(n, v, list(parts.items()), mag)
        cur[n] = v
        comp[n] = v
    return d, comp


def well_scaled(g, rng, bound=50.0):
    """every value within +-bound (every gradient of the output within
    4 bound) for two draws of the inputs from U(0.5, 1.5)
    (--seed's distribution): a sin of 10^5 is a random number to finite
    differences, whatever the extrapolation, and would only test that"""
    r2 = random.Random(rng.random())
    for _ in range(2):
        vals = {l: r2.uniform(0.5, 1.5) for l in g.leaves}
        try:
            dag, comp = graph_model(g, vals)
            grad = dag.reverse(g.out)
        except (ValueError, OverflowError, ZeroDivisionError):
            return False
        if any(not abs(v) <= bound for v in comp.values()):
            return False
        # nor an exploding gradient (a chaotic recurrence, sin(3 h[t-1])
        # over 13 steps): its third derivatives defeat the differences too
        if any(not abs(v) <= 4 * bound for v in grad.values()):
            return False
    return True


def render_stmt(s, rng, ind):
    pad = "    " * ind
    if s[0] == "def":
        lhs = s[1] + "".join("[%s]" % ishow(i) for i in s[2])
        return [pad + "%s = %s;" % (lhs, show(s[3], rng)[0])]
    lines = [pad + "for %s in %s..%s {" % (s[1], ishow(s[2]), ishow(s[3]))]
    for b in s[4]:
        lines += render_stmt(b, rng, ind + 1)
    lines.append(pad + "}")
    return lines


def render_graph(g, rng):
    lines = ["# classics.py: a random graph", "graph %s {" % rng.choice(["g", "rnn", "model"])]
    decls = []
    for name, rs in g.inputs:
        decls.append(name + "".join("[%d]" % lo if lo == hi and rng.random() < 0.7 else "[%d..%d]" % (lo, hi)
                                    for lo, hi in rs))
    # one or several input statements
    while decls:
        k = rng.randint(1, len(decls))
        lines.append("    input %s;" % ", ".join(decls[:k]))
        decls = decls[k:]
    body = list(g.stmts)
    if rng.random() < 0.3:
        rng.shuffle(body)        # definitions in any order
        stat("graph: top-level statements out of order")
    for s in body:
        lines += [scramble(rng, l) if rng.random() < 0.3 else l for l in render_stmt(s, rng, 1)]
    for of, ref in g.derives:
        lines.append("    derive %s wrt %s;" % (of, ref))
    lines.append("}")
    return "\n".join(lines) + "\n"


# ====================================================================== running

class Results:
    def __init__(self, seed, verbose):
        self.seed = seed
        self.passed = 0
        self.failed = 0
        self.lines = []
        self.log = []
        self.verbose = verbose
        self.tags = []

    def check(self, ok, tag, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.tags.append(tag)
            self.lines.append("FAIL classics seed=%d: [%s] %s" % (self.seed, tag, what))
        return ok


class Runner:
    def __init__(self, binary, timeout, res):
        self.binary = binary
        self.timeout = timeout
        self.res = res

    def __call__(self, *args):
        t0 = time.time()
        for attempt in range(20):
            try:
                p = subprocess.run([self.binary] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, timeout=self.timeout)
                rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
                break
            except subprocess.TimeoutExpired:
                rc, out, err = -999, "", "timed out after %g s" % self.timeout
                break
            except OSError as e:          # the binary being relinked
                rc, out, err = -998, "", str(e)
                time.sleep(0.5)
        if self.res.verbose:
            self.res.log.append("  %.3f s exit %d: pathgrad %s" % (time.time() - t0, rc, " ".join(args)))
        return rc, out, err


def fmt_args(args):
    return "pathgrad " + " ".join("'%s'" % a if "[" in a else a for a in args)


def check_eval_json(res, tag, args, rc, out, err, nleaves):
    """the three-way check's exit status and numbers; returns the JSON or None"""
    js = None
    detail = "exit %d, stderr: %s" % (rc, err.strip()[:400] or "(empty)")
    ok = rc == 0
    if ok:
        try:
            js = json.loads(out)
            chk = js["check"]
            ps, fd = chk["path_sum"], chk["finite_differences"]
            ng = len(js["grad"])
            ok = (ps["worst_relative"] <= PATH_TOL and fd["worst_relative"] <= FD_TOL
                  and ps["compared"] + ps["skipped"] == ng and fd["compared"] == min(ng, 2000)
                  and ng == nleaves)
            detail = "check %s, %d gradients, the model has %d leaves" % (json.dumps(chk), ng, nleaves)
        except (ValueError, KeyError, TypeError) as e:
            ok, detail = False, "bad JSON (%s): %r" % (e, out[:300])
            js = None
    res.check(ok, tag, "`%s`: %s" % (fmt_args(args), detail))
    return js


def compare_model(res, tag, js, comp, dag, of, rng, forward_of):
    """forward values, loss, reverse gradients and a few central differences"""
    vals = js["values"]
    # forward
    worst = None
    for n, v in comp.items():
        got = vals.get(n)
        if not close(v, got, 1e-9, 1e-12 * (dag.mag.get(n, 0.0) + 1.0)):
            worst = (n, got, v)
            break
    res.check(worst is None, tag + " forward",
              "value of %s: eval %r, the model %r" % worst if worst else "")
    res.check(close(comp[of], js.get("loss"), 1e-9, 1e-12 * (dag.mag[of] + 1e-3)), tag + " loss",
              "eval's loss %r, the model's %r" % (js.get("loss"), comp[of]))
    # reverse mode over the model's DAG
    mine = dag.reverse(of)
    grad = js["grad"]
    gmax = max([abs(v) for v in mine.values()] + [1e-300])
    bad = None
    if set(grad) != set(mine):
        bad = "leaves differ: eval only %s, model only %s" % (sorted(set(grad) - set(mine))[:5],
                                                              sorted(set(mine) - set(grad))[:5])
    else:
        for n in dag.leaves:
            if not close(mine[n], grad[n], 1e-8, 1e-11 * gmax):
                bad = "d%s/d%s: eval %r, the model's reverse mode %r" % (of, n, grad[n], mine[n])
                break
    res.check(bad is None, tag + " reverse", bad or "")
    # central differences of the model's own forward pass, a few leaves
    for n in rng.sample(dag.leaves, min(3, len(dag.leaves))):
        v0 = js["values"][n]
        h = 1e-5 * max(1.0, abs(v0))
        fp = forward_of(n, v0 + h)
        fm = forward_of(n, v0 - h)
        if fp is None or fm is None:
            continue
        cd = (fp - fm) / (2 * h)
        if not close(cd, grad.get(n), 1e-5, 1e-7 * (gmax + abs(comp[of]) + 1.0)):
            h2 = h / 2
            cd2 = (forward_of(n, v0 + h2) - forward_of(n, v0 - h2)) / (2 * h2)
            cd = (4 * cd2 - cd) / 3
        res.check(close(cd, grad.get(n), 1e-5, 1e-7 * (gmax + abs(comp[of]) + 1.0)), tag + " central",
                  "d%s/d%s: eval %r, the model's central difference %r" % (of, n, grad.get(n), cd))


def check_program(seed, binary, tmpdir, keep, timeout, verbose):
    rng = random.Random(seed)
    res = Results(seed, verbose)
    R = Runner(binary, timeout, res)
    is_net = rng.random() < 0.5
    if is_net:
        stat("programs: network")
        net = gen_net(rng)
        refs = net_refs(net)
        for _ in range(rng.randint(1, 3)):
            kinds = [k for k in ("shared", "as", "w", "bias", "input", "inner") if refs[k]]
            k = rng.choice(kinds)
            of = net.loss
            if rng.random() < 0.15 and refs["inner"]:
                of = rng.choice([r for r in refs["inner"] if r.startswith("y")])
            net.derives.append((of, rng.choice(refs[k])))
        text = render_net(net, rng)
        of = net.loss
    else:
        stat("programs: graph")
        for attempt in range(30):
            g = gen_graph(rng)
            if well_scaled(g, rng):
                break
            stat("graph: regenerated (a value beyond 50 or a gradient beyond 200)")
        for _ in range(rng.randint(1, 3)):
            of = g.out if rng.random() < 0.8 else rng.choice(g.inner)
            g.derives.append((of, rng.choice(g.leaves)))
        text = render_graph(g, rng)
        of = g.out
    text_stats(text, is_net)
    path = os.path.join(tmpdir, "seed-%d.net" % seed)
    with open(path, "w") as f:
        f.write(text)
    extra_files = []
    try:
        run_checks(res, R, rng, path, text, is_net, net if is_net else g, of, tmpdir, extra_files)
    except Exception:
        import traceback
        res.check(False, "internal", traceback.format_exc()[-1200:])
    if res.failed:
        os.makedirs(keep, exist_ok=True)
        kp = os.path.join(keep, "seed-%d.net" % seed)
        with open(kp, "w") as f:
            f.write(text)
        for src, ext in extra_files:
            try:
                with open(src) as f, open(kp + ext, "w") as o:
                    o.write(f.read())
            except OSError:
                pass
        res.lines = [l.replace(path, kp) for l in res.lines]
        res.lines.append("    (program seed=%d saved to %s)" % (seed, kp))
        if verbose:
            res.lines += ["    | " + l for l in text.splitlines()]
    for ext in ("", ".fmt.net", ".fmt2.net", ".values"):
        try:
            os.unlink(path + ext if ext else path)
        except OSError:
            pass
    return res


def run_checks(res, R, rng, path, text, is_net, prog, of, tmpdir, extra_files):
    # ---- check
    rc, out, err = R("check", path)
    if not res.check(rc == 0 and err == "", "check", "`pathgrad check %s` exit %d: %s" % (path, rc, err.strip()[:500])):
        return
    # ---- fmt: idempotent, same meaning
    rc, f1, err = R("fmt", path)
    if res.check(rc == 0, "fmt", "`pathgrad fmt %s` exit %d: %s" % (path, rc, err.strip()[:300])):
        p1 = path + ".fmt.net"
        with open(p1, "w") as f:
            f.write(f1)
        rc2, f2, err2 = R("fmt", p1)
        res.check(rc2 == 0 and f2 == f1, "fmt idempotent",
                  "fmt of fmt's output differs (exit %d): %s" % (rc2, first_diff(f1, f2)))
        c0 = R("count", path)
        c1 = R("count", p1)
        res.check(c0[0] == 0 and c1 == c0, "fmt count",
                  "`count` of the original %r, of the formatted file %r" % (c0[:2], c1[:2]))
        seed = str(rng.randrange(1, 1 << 30))
        e0 = R("eval", path, "--seed", seed, "--of", of, "--format", "json")
        e1 = R("eval", p1, "--seed", seed, "--of", of, "--format", "json")
        try:
            l0, l1 = json.loads(e0[1])["loss"], json.loads(e1[1])["loss"]
        except (ValueError, KeyError):
            l0, l1 = None, "unreadable"
        res.check(e0[0] == 0 and e1[0] == 0 and close(l0, l1, 1e-13), "fmt eval",
                  "eval --seed %s: loss %r (exit %d), formatted %r (exit %d)" % (seed, l0, e0[0], l1, e1[0]))
    # ---- the model and the three-way check
    seed = str(rng.randrange(1, 1 << 30))
    args = ["eval", path, "--seed", seed, "--check", "--format", "json", "--of", of]
    if is_net:
        net = prog
        nleaves = len(net_refs_leaves(net))
    else:
        nleaves = len(prog.leaves)
    rc, out, err = R(*args)
    js = check_eval_json(res, "three-way", args, rc, out, err, nleaves)
    if js is None:
        return
    vals = js["values"]
    if is_net:
        net = prog
        needs_t = net.loss_kind in ("mse", "xent")
        targets = None
        if not needs_t:
            dag, comp = net_model(net, vals, None)
            fwd = lambda n, v: net_model(net, dict(vals, **{n: v}), None)[1][of]
            compare_model(res, "model", js, comp, dag, of, rng, fwd)
        else:
            # our own targets, every leaf's value from the seed's JSON
            W = net.layers[-1].width
            if net.loss_kind == "xent":
                ts = [rng.uniform(0.05, 1.0) for _ in range(W)]
                if net.fold() or rng.random() < 0.5:
                    s = sum(ts)
                    ts = [t / s for t in ts]
                    # exact to 1e-9 whatever the rounding
            else:
                ts = [rng.uniform(-1.5, 1.5) for _ in range(W)]
            targets = {k + 1: ts[k] for k in range(W)}
            vp = path + ".values"
            with open(vp, "w") as f:
                f.write("# classics.py: the leaves of eval --seed %s, and targets\n" % seed)
                for n in js["grad"]:
                    f.write("%s = %r\n" % (n, vals[n]))
                for k, t in targets.items():
                    f.write("t[%d] = %r\n" % (k, t))
            extra_files.append((vp, ".values"))
            args = ["eval", path, "--values", vp, "--check", "--format", "json"]
            rc, out, err = R(*args)
            js2 = check_eval_json(res, "values three-way", args, rc, out, err, nleaves)
            if js2 is not None:
                dag, comp = net_model(net, js2["values"], targets)
                v2 = js2["values"]
                fwd = lambda n, v: net_model(net, dict(v2, **{n: v}), targets)[1][of]
                compare_model(res, "values model", js2, comp, dag, of, rng, fwd)
                # every leaf took the file's value
                res.check(all(v2.get(n) == vals[n] for n in js["grad"]), "values read",
                          "a leaf's value differs from the VALUES file")
            dag, _ = net_model(net, vals, targets)
    else:
        g = prog
        dag, comp = graph_model(g, vals)

        def fwd(n, v):
            try:
                return graph_model(g, dict(vals, **{n: v}))[1][of]
            except (ValueError, OverflowError, ZeroDivisionError):
                return None
        compare_model(res, "model", js, comp, dag, of, rng, fwd)
    # ---- count: the file's derive statements, and one --of/--wrt pair
    derives = prog.derives
    rc, out, err = R("count", path)
    want = []
    for o, r in derives:
        want.append("%s wrt %s: %s" % (o, r, dag.count(o, r)))
    got = out.splitlines()
    res.check(rc == 0 and got == want, "count",
              "`pathgrad count %s` printed %r, the model counts %r" % (path, got[:6], want[:6]))
    # another pair: an inner OF sometimes
    nodes = [n for n in dag.order if dag.kids[n]]
    o = of if rng.random() < 0.6 or not nodes else rng.choice(nodes)
    r = rng.choice(dag.leaves + nodes)
    rc, out, err = R("count", path, "--of", o, "--wrt", r)
    res.check(rc == 0 and out.strip() == str(dag.count(o, r)), "count --wrt",
              "`pathgrad count FILE --of %s --wrt %s` printed %r (exit %d, %s), the model %s"
              % (o, r, out.strip(), rc, err.strip()[:200], dag.count(o, r)))
    stat("checks: count")


def text_stats(text, is_net):
    """which constructs the program's text uses (for --stats)"""
    import re
    code = "\n".join(l.split("#")[0] for l in text.splitlines())
    pre = "in networks: " if is_net else "in graphs: "
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?=\()", code)) if not is_net else set()
    for f in ACTS + FUNCS1 + FUNCS2 + ["sum", "prod"]:
        if f in words:
            stat(pre + f + "()")
    feats = {"`for`": r"\bfor\b", "nested `for`": r"\bfor\b[^}]*\bfor\b", "indexed input": r"input[^;]*\[",
             "h[t-1]": r"\[\w+ - 1\]", "h[t-2]": r"\[\w+ - 2\]", "x[2*t...]": r"\[2 \* ",
             "h[t+1] =": r"\[\w+ \+ 1\]\s*=", "W[i][j]": r"\[i\]\[j\]",
             "`input` layer": r":\s*\d+ input", "`as`": r" as ", "`shared`": r" shared ",
             "`dead`": r"\bdead\b", "softmax": r"softmax", "xent": r"xent", "skip": r"skip\(",
             "bias": r"\bbias\b", "derive of an inner OF": r"derive (?!L |Loss |E |J |cost |out|loss_)"}
    for name, rx in feats.items():
        if re.search(rx, code):
            stat(pre + name)


def net_refs_leaves(net):
    r = net_refs(net)
    return set(r["input"] + r["w"] + r["as"] + r["shared"] + r["bias"])


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else None
        y = bl[i] if i < len(bl) else None
        if x != y:
            return "line %d: %r vs %r" % (i + 1, x, y)
    return "(same lines)"


def main():
    ap = argparse.ArgumentParser(description="random programs of the new constructs, checked against a model")
    ap.add_argument("--bin", default=os.environ.get("PATHGRAD", "./pathgrad"))
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--count", type=int, default=None)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--no-rotate", action="store_true",
                    help="only seeds S, S+1, ...: no programs from the rotating base")
    ap.add_argument("--keep", default=DEFAULT_KEEP)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--stats", action="store_true", help="print how often each construct was generated")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.seconds is None and a.count is None:
        a.seconds = 25.0
    binary = os.path.abspath(a.bin) if os.sep in a.bin else a.bin
    if os.sep in binary and not os.access(binary, os.X_OK):
        print("classics: %s is not an executable" % binary)
        print("classics: 0 passed, 1 failed")
        return 1
    # the rotating base: a new one every run (the time), far from the fixed seeds
    rot = None if a.no_rotate else 1000000 + (int(time.time()) % 100000) * 1000
    t0 = time.time()
    passed = failed = nprog = 0
    hits = collections.defaultdict(list)
    seeds_run = []
    with tempfile.TemporaryDirectory(prefix="classics-") as tmpdir:
        def seed_of(i):
            if rot is None:
                return a.seed + i
            return a.seed + i // 2 if i % 2 == 0 else rot + i // 2

        def one(seed):
            try:
                return check_program(seed, binary, tmpdir, a.keep, a.timeout, a.verbose)
            except Exception:
                import traceback
                r = Results(seed, a.verbose)
                r.check(False, "internal", traceback.format_exc()[-1200:])
                return r

        pending = collections.deque()
        i = 0
        deadline = t0 + a.seconds if a.seconds is not None else None
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            while True:
                more = (a.count is None or i < a.count) and (deadline is None or time.time() < deadline)
                if more and len(pending) < 2 * max(1, a.jobs):
                    s = seed_of(i)
                    pending.append((s, ex.submit(one, s)))
                    i += 1
                    continue
                if not pending:
                    break
                s, fu = pending.popleft()
                r = fu.result()
                nprog += 1
                seeds_run.append(s)
                if a.verbose:
                    print("seed=%d: %d passed, %d failed" % (s, r.passed, r.failed))
                    for l in r.log:
                        print(l)
                for l in r.lines:
                    print(l)
                for t in set(r.tags):
                    hits[t].append(s)
                sys.stdout.flush()
                passed += r.passed
                failed += r.failed
    dt = time.time() - t0
    if hits:
        print("classics: failed checks by kind: " + "; ".join(
            "%s: seeds %s" % (t, " ".join(map(str, ss[:10])) + (" ..." if len(ss) > 10 else ""))
            for t, ss in sorted(hits.items())))
    if a.stats:
        for k, v in sorted(STATS.items()):
            print("  %6d  %s" % (v, k))
    fixed = [s for s in seeds_run if rot is None or s < rot]
    rotated = [s for s in seeds_run if rot is not None and s >= rot]
    print("classics: %d programs in %.1f s, seeds %s%s" % (
        nprog, dt, "%d..%d" % (min(fixed), max(fixed)) if fixed else "none",
        "; rotating seeds %d..%d" % (min(rotated), max(rotated)) if rotated else ""))
    print("classics: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
