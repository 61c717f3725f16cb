#!/usr/bin/env python3
"""difffuzz.py -- a generative differential fuzzer for pathgrad.

It writes random *valid* .net programs -- networks (deep chains up to 10,000
layers, wide layers of hundreds of neurons, a layer with 65-80 dense inputs,
skip shortcuts, biases, dead ReLU neurons, softmax layers (y^k -> every x^j
of the layer: the paths through one are multiplied by its width), losses
`loss L;` and `= sum|mse|xent`, often a last softmax under xent (the fold),
labels 3 / h / n-2 / L+1, names up to the 200-character limit; input layers
after the first (`layer x2 : 2 input;`, their y leaves like the first
layer's), `dense(L) as NAME` (leaves NAME[L][i][j]) and `dense(L) shared
NAME` (leaves NAME[i][j]: one leaf for every use, the model's paths go
through each use, and a tied weight's terms come use by use, in the order of
the layers that use it); unrolled RNNs with W and U shared at every step,
DenseNet blocks) and scalar graphs (random expressions over + - * / ^INT,
unary minus, numbers and every known function, chains of thousands of
assignments, a variable using 70+ others, opaque functions; indexed names
`input w, x[1..5], h[0], W[1..3][1..3];` with `for t in A..B { ... }`
(nested, bounds that depend on an enclosing loop, index expressions of + - *
such as h[t - 1], x[2 * t + 1], 9 - t, -(-t), the loop variable as a number,
empty loops), `sum(j in A..B, E)` and `prod(...)` (some empty): recurrences
h[t] = f(w * h[t-1] + u * x[t] ...) over up to 30 steps (linear, squashed,
two-step, LSTM-like), multilayer perceptrons W[l][i][j] in nested loops --
written with loops and modelled by unrolling them here, a sum or product
written out, one edge per distinct name of the expanded expression) -- one
`derive OF wrt REF;` each, sometimes several blocks in one file, runs the
pathgrad binary on them and checks, for each program:

  count     `count --of OF --wrt REF` == the number of paths of an independent
            Python model of the computational graph (exact big integers), and
            `count FILE` prints "OF wrt REF: N" for the file's derive statement;
  derive    if N is small (<= 2000 terms, bounded total size): the JSON of
            --stage chain has count == N == len(terms), its paths are the
            model's paths in depth-first order (a tied weight's grouped use by
            use, in the order of the layers that use it); stages act and local have
            count == len(terms), and list the chain paths minus those through
            a dead ReLU (networks) or a subsequence of them (graphs); under
            the fold (the last layer softmax, `loss L = xent;`, OF the loss,
            REF not a y of the last layer) stage local also drops the paths
            that cross that last softmax with j != k (delta_kj), and no
            other softmax's; a small network's stage forward lists local's
            paths (a subsequence with dead neurons; a softmax of width 1 is
            the constant 1 there), or is refused for its size;
            `--max-terms N-1` is refused (exit 1) naming the exact count;
  factored  `--stage factored --format json` (any N) counts the terms of stage
            local: the paths that cross no dead neuron nor a folded edge
            (networks, by the model), at most N and as many as local lists
            (graphs: a local derivative that simplifies to 0 takes its paths
            out);
  paths     `paths --format json`: the lengths' path counts add up to N (and
            equal the model's histogram when paths are enumerated);
  collapse  networks: the JSON of `--collapse` has count == N (any N: with
            --max-terms 0 when the model's layer-level paths -- the shapes
            --collapse enumerates -- are few enough to print, else it may
            refuse beyond 20 families); when
            N is small, every family of the LaTeX `--collapse` output (stages
            chain, act and local), expanded back (a softmax's delta_{kl}
            evaluated, t_{k} indexed), gives exactly the multiset of signed
            terms of the expanded output; graphs: --collapse prints what the
            expanded output prints;
  eval      programs without opaque functions: `eval --seed K --format json
            --of OF` (with --check unless it would be slow) exits 0; every
            value is recomputed here from its operands' values (so a wrong
            precedence, sum or activation shows), the gradient has one entry
            per leaf, and --check's path sums and finite differences agree
            with reverse mode (exit 3 is a failure; gradients that pathgrad
            leaves out at a kink are accounted for); with --lenient-fd a
            disagreement of the finite differences alone that their
            round-off explains (eps x |values| / h against a tiny gradient)
            is printed as a `note difffuzz seed=S: ...` line and not
            counted;
            an xent loss of a y <= 0 may only be refused (exit 1, not
            finite);
            networks, always with an mse or xent loss: `eval --values FILE`
            with values written here (targets a distribution under the fold)
            gives the file's values to the leaves, every value and the loss
            recomputed, and every gradient equal to reverse mode computed
            here from its values (softmax's y^k(delta_kj - y^j), -t/y, y-t);
            a missing target, a target of a sum, targets of the fold that do
            not sum to 1 (beyond 1e-9) and an xent of a y <= 0 exit 1;
            opaque functions: eval --of OF is refused with exit 1 when OF
            depends on one;
  fmt       fmt's output formatted again is byte-identical, keeps `loss L =
            KIND;` (and `loss L;`), lays an indexed graph out canonically
            (every statement on a line of its own, a loop's body four spaces
            deeper, `for t in A..B {` and `}` as this file writes them, the
            input declarations and index expressions exactly so: spaces
            around + - *, parentheses only where the tree needs them),
            `fmt --check` on it
            exits 0 (and on the input exits 1 exactly when the input differs;
            the input is read from the file or from standard input, and its
            layout is scrambled a little sometimes), and the formatted program
            has the same path counts;
  errors    wrong references (unknown layer, index out of range, x of an
            input layer, a shared weight out of range or with 3 indices, an
            own weight with 2, a family with no weights from a layer, an
            undefined name, an element beyond a declared range, an indexed
            family without its indices, a loop variable in a reference, a
            malformed reference), an unknown stage or option exit 2 with
            nothing on standard output; a mutated program (a name of 201
            characters, a duplicate label, a keyword as a name, an unknown
            layer, a cycle, softmax(a) in a graph, a dead neuron of a softmax
            layer, an unknown loss kind; an input layer with a bias or inputs,
            a family named x or as the loss, a name both shared and own, a
            shared family of two shapes, dense(L) as NAME twice; an undefined
            h[-1] or h[T+1], an index out of a declared range, a loop variable
            used outside its loop or defined, a duplicate loop variable, a sum
            over a loop variable, input or derive inside a loop, / in an
            index, an element defined in a loop and outside it, ...) makes
            `check` exit 1 with a located error and nothing on standard
            output;
  always    every command exits 0, 1 or 2 (3 only for a failing eval --check),
            never by a signal, within --timeout seconds.

Which activations (leaky_relu softplus elu gelu swish, softmax), graph
functions (max min abs, the activations of one neuron as functions) and loss
kinds (sum mse xent) the binary supports, and whether it reads input layers,
`as` and `shared` (networks) and indexed names, loops, sum and prod (graphs),
is detected at start-up and printed on the info line; a name the binary's
--help lists (activations, functions, losses) that this file has no model of
is a failure (add the model).

Usage: python3 tests/gen/difffuzz.py --bin ./pathgrad [--seconds 30]
           [--seed N] [--count N] [--keep DIR] [--jobs N] [--timeout S]
           [--lenient-fd] [-v]

--seconds (default 30, unless --count is given) and --count both bound the
run; --jobs programs are checked at a time (default: up to 4 CPUs); every
pathgrad command gets --timeout seconds (default 20).

Program i of a run uses seed S+i, and a program depends on its seed alone
(and on which of the new activations and functions the binary supports):
seeds with S % 100 in 0..3 are the programs at the limits (a 10,000-layer
chain, a layer with 65-80 dense inputs, a wide layer, names of 200
characters); the default seed is a multiple of 100, so every run starts with
them.  A failure prints

    FAIL difffuzz seed=S: [check] what, with the command

and saves the program to --keep DIR (default fuzz/artifacts/difffuzz/) as
seed-S.net (FILE in a message is that file).  To reproduce it:

    python3 tests/gen/difffuzz.py --bin ./pathgrad --seed S --count 1 -v

(-v prints the program's shape and every command run).  The last line is
`difffuzz: P passed, F failed` (individual checks), after an info line
`difffuzz: N programs in T s, seeds S..S2; ...`; exit status 1 if any check
failed.  Python 3 standard library only.
"""

import argparse
import collections
import itertools
import json
import math
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_SEED = 7700          # a multiple of 100: every run starts with the limits
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_KEEP = os.path.join(REPO, "fuzz", "artifacts", "difffuzz")

BASE_ACTS = ["identity", "relu", "sigmoid", "tanh"]
NEW_ACTS = ["leaky_relu", "softplus", "elu", "gelu", "swish"]
BASE_FUNCS = ["exp", "log", "sin", "cos", "sqrt", "relu", "sigmoid", "tanh", "identity"]
NEW_FUNCS1 = ["abs"]
NEW_FUNCS2 = ["max", "min"]
# activations of a whole layer (y^k depends on every x^j of it): networks only
LAYER_ACTS = ["softmax"]
# the kinds of a loss written out (`loss L = KIND;`); `loss L;` is abstract
BASE_LOSSES = ["sum", "mse"]
NEW_LOSSES = ["xent"]
KEYWORDS = {"network", "graph", "layer", "loss", "dead", "derive", "wrt", "expand",
            "input", "dense", "skip", "bias", "identity", "relu", "sigmoid", "tanh"}
# never used as names or labels: keywords, every function or activation (known
# today or being added), and words with a meaning somewhere
RESERVED = (KEYWORDS | set(NEW_ACTS) | set(BASE_FUNCS) | set(NEW_FUNCS1) | set(NEW_FUNCS2)
            | set(LAYER_ACTS) | set(NEW_LOSSES)
            | {"sum", "mse", "t", "e", "pi", "f", "g", "h", "phi", "psi", "op_a", "Fn"})
OPAQUE1 = ["f", "g", "phi", "op_a"]
OPAQUE2 = ["h", "psi", "Fn"]
# the functions whose formula is known here (values are recomputed from them)
PY_FUNCS = {
    "exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos, "sqrt": math.sqrt,
    "relu": lambda x: x if x > 0 else 0.0, "identity": lambda x: x, "tanh": math.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x)),
    "abs": abs, "max": max, "min": min,
    # the activations being added, by their usual definitions
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "softplus": lambda x: x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x)),
    "elu": lambda x: x if x > 0 else math.expm1(x),
    "gelu": lambda x: x * 0.5 * math.erfc(-x / math.sqrt(2.0)),
}
PY_FUNCS["swish"] = lambda x: x * PY_FUNCS["sigmoid"](x)


def py_softmax(xs):
    """softmax of a layer's x, with the max subtracted"""
    m = max(xs)
    es = [math.exp(v - m) for v in xs]
    s = sum(es)
    return [e / s for e in es]


# the layer activations' formulas: a list of x to a list of y
PY_LAYER_FUNCS = {"softmax": py_softmax}


def py_dact(act, x):
    """d act / d x of a one-neuron activation at x (a kink takes the side
    LANGUAGE.md names: relu'(0) = 0, leaky_relu'(0) = 0.01)"""
    if act == "identity":
        return 1.0
    if act == "relu":
        return 1.0 if x > 0 else 0.0
    if act == "leaky_relu":
        return 1.0 if x > 0 else 0.01
    if act == "sigmoid":
        s = PY_FUNCS["sigmoid"](x)
        return s * (1.0 - s)
    if act == "tanh":
        t = math.tanh(x)
        return 1.0 - t * t
    if act == "softplus":
        return PY_FUNCS["sigmoid"](x)
    if act == "elu":
        return 1.0 if x > 0 else math.exp(x)
    if act == "gelu":
        return 0.5 * math.erfc(-x / math.sqrt(2.0)) + x * math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    if act == "swish":
        s = PY_FUNCS["sigmoid"](x)
        return s + x * s * (1.0 - s)
    raise AssertionError(act)


# activations whose output is positive everywhere (an xent loss takes its log)
POSITIVE_ACTS = {"sigmoid", "softplus", "softmax"}
STRICT_FD = [True]           # not --lenient-fd: count those finite-difference disagreements too
FILE_MARK = "<FILE>"         # the program's path in messages, until it is saved
MAX_ENUM = 2000              # derive --stage chain is expanded up to this many terms
MAX_ENUM_SIZE = 400000       # ... and this many path entries in all
EVAL_CHECK_BUDGET = 4e6      # rough cost of eval --check (leaf x graph-size units)


# ====================================================================== model

class Model:
    """A computational graph: nodes in topological order (operands first),
    children[node] = [(child, kind)] in the order pathgrad visits operands
    (one entry per edge: a dense and a skip input from the same layer give
    two).  Kinds: loss act jw jy skip bias (networks), op (graphs)."""

    def __init__(self):
        self.order = []
        self.children = {}
        self._to = {}

    def add(self, node, children):
        self.order.append(node)
        self.children[node] = children

    def paths_to(self, ref):
        """{node: number of paths node -> ref}"""
        if ref in self._to:
            return self._to[ref]
        val = {}
        ch = self.children
        for v in self.order:
            if v == ref:
                val[v] = 1
                continue
            s = 0
            for c, _ in ch[v]:
                s += val[c]
            val[v] = s
        self._to = {ref: val}       # keep one: they are big for big graphs
        return val

    def count(self, of, ref):
        if of not in self.children or ref not in self.children:
            return 0
        return self.paths_to(ref)[of]

    def count_avoiding(self, of, ref, edges):
        """paths of -> ref through none of the (parent, child) edges"""
        if of not in self.children or ref not in self.children:
            return 0
        if not edges:
            return self.count(of, ref)
        val = {}
        ch = self.children
        for v in self.order:
            if v == ref:
                val[v] = 1
                continue
            s = 0
            for c, _ in ch[v]:
                if (v, c) not in edges:
                    s += val[c]
            val[v] = s
        return val[of]

    def longest(self, of, ref):
        """the number of nodes on the longest path of -> ref (0: none)"""
        val = self.paths_to(ref)
        if not val.get(of):
            return 0
        lp = {}
        for v in self.order:
            if not val[v]:
                continue
            if v == ref:
                lp[v] = 1
                continue
            lp[v] = 1 + max(lp[c] for c, _ in self.children[v] if val[c])
        return lp[of]

    def from_of(self, of):
        """(paths of -> node for every node below of, longest depth from of)"""
        cnt = {of: 1}
        depth = {of: 0}
        idx = {v: i for i, v in enumerate(self.order)}
        for v in reversed(self.order[:idx[of] + 1]):
            cv = cnt.get(v)
            if not cv:
                continue
            d = depth[v] + 1
            for c, _ in self.children[v]:
                cnt[c] = cnt.get(c, 0) + cv
                if depth.get(c, -1) < d:
                    depth[c] = d
        return cnt, (max(depth.values()) if depth else 0)

    def enumerate(self, of, ref):
        """[(path, number of junction edges)] in depth-first order"""
        val = self.paths_to(ref)
        if not val.get(of):
            return []
        if of == ref:
            return [([of], 0)]
        out = []
        path = [of]
        kinds = []
        its = [iter(self.children[of])]
        junction = ("jw", "jy")
        while its:
            try:
                c, k = next(its[-1])
            except StopIteration:
                its.pop()
                path.pop()
                if kinds:
                    kinds.pop()
                continue
            if not val[c]:
                continue
            if c == ref:
                nj = sum(1 for x in kinds if x in junction) + (k in junction)
                out.append((path + [c], nj))
                continue
            path.append(c)
            kinds.append(k)
            its.append(iter(self.children[c]))
        return out

    def size(self):
        return len(self.order) + sum(len(c) for c in self.children.values())


# ====================================================================== names

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ident(rng, n):
    """a name of exactly n characters, never reserved"""
    while True:
        s = rng.choice(LETTERS + "_") + "".join(
            rng.choice(LETTERS + "_0123456789") for _ in range(n - 1))
        if s not in RESERVED:
            return s


def short_name(rng, used):
    while True:
        s = rng.choice(["a", "b", "c", "d", "m", "n", "p", "q", "u", "v", "x", "y", "z", "w",
                        "hidden", "out", "tmp", "Z", "_s", "k_2", "acc", "E1", "node"])
        if rng.random() < 0.5:
            s += rng.choice(["", "1", "2", "_3", "9", "_x", "0"])
        if s not in RESERVED and s not in used:
            used.add(s)
            return s


def gen_labels(rng, n, style=None):
    style = style or rng.choice(["int", "h", "nminus", "plus", "mixed", "ident"])
    labels = []
    seen = set()
    base_int = rng.choice([0, 1, 3, 10])
    while len(labels) < n:
        k = len(labels)
        if style == "int":
            lab = str(base_int + k)
        elif style == "h":
            lab = "in" if k == 0 else ("out" if k == n - 1 and n > 1 else "h%d" % k)
        elif style == "nminus":
            lab = "n" if k == n - 1 else "n-%d" % (n - 1 - k)
        elif style == "plus":
            lab = "L" if k == 0 else "L+%d" % k
        elif style == "ident":
            lab = rng.choice(["in", "hid", "z_", "Layer", "q", "_a", "H"]) + "_%d" % k
        else:
            lab = rng.choice(["%d" % rng.randint(0, 99), "h%d" % rng.randint(0, 99), "h",
                              "L+%d" % rng.randint(1, 99), "n-%d" % rng.randint(1, 99), "n",
                              "out", "x_%d" % rng.randint(0, 9), "_a", "in"])
        if lab in seen or lab in KEYWORDS or lab in NEW_ACTS:
            style = "mixed"
            continue
        seen.add(lab)
        labels.append(lab)
    return labels


def long_labels(rng, n):
    """labels at the limits: 200-character names, with -INT and +INT, and
    integers up to 10^12"""
    out = []
    seen = set()
    while len(out) < n:
        r = rng.random()
        if r < 0.3:
            lab = ident(rng, 200)
        elif r < 0.5:
            lab = ident(rng, rng.randint(150, 200)) + "-%d" % rng.choice([1, 2, 999999999999])
        elif r < 0.7:
            lab = ident(rng, rng.randint(150, 200)) + "+%d" % rng.choice([1, 7, 1000000000000])
        elif r < 0.85:
            lab = str(rng.choice([1000000000000, 999999999999, rng.randint(10 ** 11, 10 ** 12)]))
        else:
            lab = rng.choice(["3", "h", "n-2", "L+1"])
        if lab not in seen:
            seen.add(lab)
            out.append(lab)
    return out


# ====================================================================== networks

class Layer:
    def __init__(self, label, width):
        self.label = label
        self.width = width
        self.act = None            # None: the input layer
        self.act_written = False
        self.inputs = []           # [("dense"|"skip", layer index)]
        self.explicit = False
        self.bias = False
        self.dead = {}             # neuron -> "y" | "x" (how the file names it)
        self.is_input = False      # `layer L : N input;` after the first (its y are leaves)


# an input's kind: "skip", "dense" (weights w[L][i][j]), "as:NAME" (NAME[L][i][j],
# a connection's own) or "shared:NAME" (NAME[i][j], tied: one leaf wherever NAME
# appears)
def is_dense(kind):
    return kind != "skip"


def wref(lab, kind, p, i, j):
    """the weight of input (kind, p) from neuron i of layer p to neuron j"""
    if kind == "dense":
        return "w[%s][%d][%d]" % (lab[p], i, j)
    how, name = kind.split(":", 1)
    if how == "as":
        return "%s[%s][%d][%d]" % (name, lab[p], i, j)
    return "%s[%d][%d]" % (name, i, j)


def input_text(lab, kind, p):
    if kind in ("dense", "skip"):
        return "%s(%s)" % (kind, lab[p])
    how, name = kind.split(":", 1)
    return "dense(%s) %s %s" % (lab[p], how, name)


class Block:
    """one block of a program, with what the checks need"""

    def __init__(self, kind, name):
        self.kind = kind
        self.name = name
        self.lines = []
        self.model = None
        self.of = None             # the variable differentiated, as JSON prints it
        self.wrt = None
        self.numeric = True        # no opaque function: eval works
        self.leaves = []
        self.dead_edges = set()    # networks: (y, x) of dead neurons
        self.fold = False          # networks: a last softmax under `loss L = xent;` (graph_folds)
        self.fold_edges = set()    # ... its edges (y^k, x^j), j != k
        self.bad_refs = []         # (option, reference, what) that must exit 2
        self.layers = None         # networks
        self.loss = None
        self.loss_kind = None
        self.assigns = None        # graphs: {name: expression}
        self.kink_x = []           # networks: x of kinked (relu-like) live neurons
        self.indexed = False       # graphs: written with indexed names and loops
        self.heads = None          # ... its statements as fmt starts them: [(depth, prefix)]
        self.ix_arrays = {}        # ... its indexed input families: base -> [(lo, hi)]
        self.shared = {}           # networks: shared NAME -> (rows, columns, first use)
        self.owns = {}             # networks: (as:NAME, p) -> l
        self.desc = ""


def net_block(rng, feats, name, layers, loss, loss_kind, of_mode="loss", ref_hint=None):
    b = Block("net", name)
    b.layers = layers
    b.label_index = {L.label: i for i, L in enumerate(layers)}
    b.loss = loss
    b.loss_kind = loss_kind
    m = Model()
    Ls = layers
    lab = [L.label for L in Ls]

    def y(l, j):
        return "y[%s][%d]" % (lab[l], j)

    def x(l, j):
        return "x[%s][%d]" % (lab[l], j)

    def w(p, i, j):
        return "w[%s][%d][%d]" % (lab[p], i, j)

    def bb(l, j):
        return "b[%s][%d]" % (lab[l], j)

    consumed = {}
    owns = {}                      # (NAME, p) of dense(p) as NAME -> l
    shapes = {}                    # shared NAME -> (rows, columns, first use l)
    for l, L in enumerate(Ls):
        for kind, p in L.inputs:
            assert p < l and not Ls[l].is_input, (p, l)
            if kind == "dense":
                assert p not in consumed, (p, l)
                consumed[p] = l
            elif kind.startswith("as:"):
                assert (kind, p) not in owns
                owns[(kind, p)] = l
            elif kind.startswith("shared:"):
                sh = shapes.setdefault(kind, (Ls[p].width, L.width, l))
                assert sh[:2] == (Ls[p].width, L.width), (kind, sh, l)
    b.shared = {k.split(":", 1)[1]: v for k, v in shapes.items()}
    b.owns = owns
    b.consumed = consumed
    ys = []
    for l in range(len(Ls)):
        L = Ls[l]
        if l == 0 or L.is_input:
            for j in range(1, L.width + 1):
                m.add(y(l, j), [])
                b.leaves.append(y(l, j))
            ys.append([y(l, i) for i in range(1, L.width + 1)])
            continue
        for kind, p in L.inputs:
            if is_dense(kind):
                for i in range(1, Ls[p].width + 1):
                    for j in range(1, L.width + 1):
                        wv = wref(lab, kind, p, i, j)
                        if wv not in m.children:
                            # a shared weight is one leaf, added at its first use
                            m.add(wv, [])
                            b.leaves.append(wv)
        for j in range(1, L.width + 1):
            ch = []
            for kind, p in L.inputs:
                if is_dense(kind):
                    for i in range(1, Ls[p].width + 1):
                        ch.append((wref(lab, kind, p, i, j), "jw"))
                        ch.append((ys[p][i - 1], "jy"))
                else:
                    ch.append((ys[p][j - 1], "skip"))
            if L.bias:
                m.add(bb(l, j), [])
                b.leaves.append(bb(l, j))
                ch.append((bb(l, j), "bias"))
            m.add(x(l, j), ch)
        for j in range(1, L.width + 1):
            if L.act in PY_LAYER_FUNCS:
                # y^k -> every x^j of the layer, j in index order
                m.add(y(l, j), [(x(l, i), "act") for i in range(1, L.width + 1)])
                continue
            m.add(y(l, j), [(x(l, j), "act")])
            if j in L.dead:
                b.dead_edges.add((y(l, j), x(l, j)))
            elif L.act in ("relu", "leaky_relu"):
                b.kink_x.append(x(l, j))
        ys.append([y(l, i) for i in range(1, L.width + 1)])
    last = len(Ls) - 1
    m.add(loss, [(y(last, k), "loss") for k in range(1, Ls[last].width + 1)])
    b.model = m
    b.fold = Ls[last].act == "softmax" and loss_kind == "xent"
    if b.fold:
        # the fold: from stage local on d y^k / d x^j is delta_kj
        b.fold_edges = set((y(last, k), x(last, j)) for k in range(1, Ls[last].width + 1)
                           for j in range(1, Ls[last].width + 1) if j != k)
    # the same graph at the level of layers: its paths are the shapes that
    # --collapse enumerates (an upper bound on its families)
    sm = Model()
    sm.add(("y", 0), [])
    for l in range(1, len(Ls)):
        L = Ls[l]
        if L.is_input:
            sm.add(("y", l), [])
            continue
        ch = []
        for kind, p in L.inputs:
            if is_dense(kind):
                wn = layer_wnode(kind, p)
                if wn not in sm.children:
                    sm.add(wn, [])
                ch += [(wn, "jw"), (("y", p), "jy")]
            else:
                ch.append((("y", p), "skip"))
        if L.bias:
            sm.add(("b", l), [])
            ch.append((("b", l), "bias"))
        sm.add(("x", l), ch)
        sm.add(("y", l), [(("x", l), "act")])
    sm.add(("loss",), [(("y", last), "loss")])
    b.shapes = sm
    # OF and REF
    if of_mode == "loss" or len(Ls) < 2 or rng.random() < 0.75:
        b.of = loss
    else:
        l = rng.randint(1, last)
        b.of = rng.choice([y] if Ls[l].is_input else [y, x])(l, rng.randint(1, Ls[l].width))
    b.wrt = ref_hint or pick_net_ref(rng, Ls, consumed, b)
    # references that must be refused (exit 2)
    nope = "zz" + ident(rng, 3)
    while nope in lab:
        nope += "q"
    ins = [l for l, L in enumerate(Ls) if l == 0 or L.is_input]
    b.bad_refs = [
        ("--wrt", "w[%s][1][1]" % nope, "unknown layer"),
        ("--wrt", "y[%s][%d]" % (lab[0], Ls[0].width + 1), "index out of range"),
        ("--wrt", "x[%s][1]" % lab[rng.choice(ins)], "x of an input layer"),
        ("--of", "no_such_" + ident(rng, 4), "unknown variable"),
        ("--wrt", "w[%s" % lab[0], "malformed reference"),
        ("--wrt", "y[%s][0]" % lab[-1], "index 0"),
    ]
    unconsumed = [p for p in range(len(Ls)) if p not in consumed]
    if unconsumed:
        p = rng.choice(unconsumed)
        b.bad_refs.append(("--wrt", "w[%s][1][1]" % lab[p], "w of a layer whose weights feed nothing"))
    nob = [l for l in range(1, len(Ls)) if not Ls[l].bias]
    if nob:
        b.bad_refs.append(("--wrt", "b[%s][1]" % lab[rng.choice(nob)], "b of a layer without bias"))
    for fn, (rows, cols, _) in b.shared.items():
        b.bad_refs.append(("--wrt", "%s[%d][%d]" % (fn, rows, cols + 1), "a shared weight's column out of range"))
        b.bad_refs.append(("--wrt", "%s[%s][1][1]" % (fn, lab[0]), "a shared weight with 3 indices"))
    for kind, p in owns:
        fn = kind.split(":", 1)[1]
        b.bad_refs.append(("--wrt", "%s[1][1]" % fn, "a connection's own weight with 2 indices"))
        others = [q for q in range(len(Ls)) if ("as:" + fn, q) not in owns]
        if others:
            b.bad_refs.append(("--wrt", "%s[%s][1][1]" % (fn, lab[rng.choice(others)]),
                               "a family with no weights from that layer"))
    # the text
    out = ["network %s {" % name]
    if rng.random() < 0.15:
        out.append("    # generated by difffuzz")
    for l, L in enumerate(Ls):
        s = "layer %s : %d" % (L.label, L.width)
        if L.is_input:
            s += " input"
        if l > 0 and L.act_written:
            s += " " + L.act
        if l > 0 and L.explicit:
            s += " = " + " + ".join(input_text(lab, k, p) for k, p in L.inputs)
        if L.bias:
            s += " bias"
        s += ";"
        if rng.random() < 0.03:
            s += "  // layer %d" % l
        out.append(s)
    tail = []
    tail.append("loss %s%s;" % (loss, "" if loss_kind is None else " = " + loss_kind))
    for l, L in enumerate(Ls):
        for j, how in sorted(L.dead.items()):
            tail.append("dead %s;" % (y(l, j) if how == "y" else x(l, j)))
    tail.append("derive %s wrt %s;" % (b.of, b.wrt))
    rng.shuffle(tail)
    out += tail
    out.append("}")
    b.lines = out
    b.desc = "network %s: %d layers, widths %s, %d dense inputs max, %d weights" % (
        name[:20], len(Ls), summarize_widths([L.width for L in Ls]),
        max([sum(1 for k, _ in L.inputs if is_dense(k)) for L in Ls] + [0]),
        sum(1 for v in b.leaves if not re.match(r"[yb]\[", v)))
    extra = []
    if len(ins) > 1:
        extra.append("%d input layers" % len(ins))
    if owns:
        extra.append("%d own weight families (as)" % len(owns))
    if b.shared:
        extra.append("shared %s" % ",".join(sorted(b.shared)))
    if extra:
        b.desc += ", " + ", ".join(extra)
    return b


def folds(b):
    """does the derivative fold (a last softmax under `loss L = xent;`)?  Of
    the loss only, and not with respect to a y of the last layer (the path
    there crosses no softmax) or the loss itself"""
    if not b.fold or b.of != b.loss or b.wrt == b.loss:
        return False
    return not b.wrt.startswith("y[%s][" % b.layers[-1].label)


def fold_note(b):
    """a hint where the fold is in play and a softmax layer precedes the last"""
    if folds(b) and any(L.act in LAYER_ACTS for L in b.layers[1:-1]):
        return " [a softmax layer before the last one: only the last folds (delta_kj), the others keep " \
               "y^k(delta_kj - y^j)]"
    return ""


def zero_edges(b, stage):
    """the edges whose factor is 0 at the stage (their terms leave the sum):
    dead neurons from stage act on; the fold's j != k from stage local on"""
    if b.kind != "net" or stage == "chain":
        return set()
    zero = b.dead_edges
    if stage != "act" and folds(b):
        zero = zero | b.fold_edges
    if stage == "forward":
        # a softmax of width 1 is the constant 1 (its forward sum): its
        # factor y(1-y) is 0 there, unless the fold made it delta_11 = 1
        for l, L in enumerate(b.layers):
            if l > 0 and L.act == "softmax" and L.width == 1 and not (l == len(b.layers) - 1 and folds(b)):
                zero = zero | {("y[%s][1]" % L.label, "x[%s][1]" % L.label)}
    return zero


def layer_wnode(kind, p):
    """the node of the layer-level model of the weights of input (kind, p)"""
    if kind == "dense":
        return ("w", p)
    if kind.startswith("as:"):
        return ("as", kind[3:], p)
    return ("sh", kind[7:])


def layer_node(b, ref):
    """the node of the layer-level model that a reference falls in"""
    if ref == b.loss:
        return ("loss",)
    m = re.match(r"([A-Za-z_]\w*)\[(.*?)\]", ref)
    if m.group(1) in b.shared:
        return ("sh", m.group(1))
    l = b.label_index[m.group(2)]
    if m.group(1) not in ("x", "y", "w", "b"):
        return ("as", m.group(1), l)
    return (m.group(1), l)


def shared_ref(b):
    """is REF a tied weight (its terms come use by use, in the order of the
    layers that use it)?"""
    if b.kind != "net":
        return False
    m = re.match(r"([A-Za-z_]\w*)\[", b.wrt)
    return m is not None and m.group(1) in b.shared


def summarize_widths(ws):
    c = collections.Counter(ws)
    return ",".join("%dx%d" % (w, n) if n > 1 else str(w) for w, n in sorted(c.items()))


def pick_net_ref(rng, Ls, consumed, b):
    lab = [L.label for L in Ls]
    kinds = ["w"] * 4 + ["yin"] * 3 + ["y", "x"] * 2 + ["b"]
    if b.owns:
        kinds += ["as"] * 3
    if b.shared:
        kinds += ["shared"] * 4
    ins = [l for l, L in enumerate(Ls) if l == 0 or L.is_input]
    for _ in range(50):
        k = rng.choice(kinds)
        # prefer layers near the top some of the time: fewer paths
        if k == "w" and consumed:
            p = rng.choice(sorted(consumed))
            l = consumed[p]
            return "w[%s][%d][%d]" % (lab[p], rng.randint(1, Ls[p].width), rng.randint(1, Ls[l].width))
        if k == "as":
            kind, p = rng.choice(sorted(b.owns))
            l = b.owns[(kind, p)]
            return wref(lab, kind, p, rng.randint(1, Ls[p].width), rng.randint(1, Ls[l].width))
        if k == "shared":
            name = rng.choice(sorted(b.shared))
            rows, cols, _ = b.shared[name]
            return "%s[%d][%d]" % (name, rng.randint(1, rows), rng.randint(1, cols))
        if k == "yin":
            l = rng.choice(ins)
            return "y[%s][%d]" % (lab[l], rng.randint(1, Ls[l].width))
        if k in ("y", "x") and len(Ls) > 1:
            l = rng.randint(1, len(Ls) - 1)
            if k == "x" and Ls[l].is_input:
                continue
            return "%s[%s][%d]" % (k, lab[l], rng.randint(1, Ls[l].width))
        if k == "b":
            bl = [l for l in range(1, len(Ls)) if Ls[l].bias]
            if bl:
                l = rng.choice(bl)
                return "b[%s][%d]" % (lab[l], rng.randint(1, Ls[l].width))
    return "y[%s][1]" % lab[0]


def pick_act(rng, feats, width=None, p_layer=0.12, max_width=6):
    """an activation of one neuron; with width given, sometimes a layer's
    (softmax multiplies the paths through it by its width: kept narrow)"""
    if width is not None and 2 <= width <= max_width and rng.random() < p_layer:
        la = [a for a in feats["acts"] if a in LAYER_ACTS]
        if la:
            return rng.choice(la)
    return rng.choice([a for a in feats["acts"] if a not in LAYER_ACTS])


def pick_loss(rng, feats, Ls, kinds, p_fold=0.3, p_xent=0.08):
    """the loss kind (None: `loss L;`); often a last softmax under xent (the
    fold), sometimes xent under another activation (its y may be <= 0: then
    eval refuses the loss)"""
    last = Ls[-1]
    r = rng.random()
    if "xent" in feats["losses"] and len(Ls) > 1:
        if r < p_fold and "softmax" in feats["acts"] and (last.width >= 2 or rng.random() < 0.2):
            set_act(rng, last, "softmax")
            return "xent"
        if r < p_fold + p_xent:
            if rng.random() < 0.6:
                pos = [a for a in feats["acts"] if a in POSITIVE_ACTS and a not in LAYER_ACTS]
                set_act(rng, last, rng.choice(pos))
            return "xent"
    return rng.choice([k for k in kinds if k is None or k in feats["losses"]])


def set_act(rng, L, act, written=None):
    L.act = act
    if act != "relu":
        L.dead = {}
    L.act_written = True if act != "identity" else (rng.random() < 0.6 if written is None else written)


class Fams:
    """the weight families of a network being generated: `dense(L) as NAME`
    (one connection each) and `dense(L) shared NAME` (one shape each)"""
    NAMES = ["P", "Q", "W", "U", "V", "D", "proj", "Wh", "K2", "as", "shared", "Tie_1"]

    def __init__(self):
        self.owns = set()          # (NAME, p)
        self.own_names = set()
        self.shared = {}           # NAME -> (rows, columns)

    def own(self, rng, p):
        names = [n for n in self.NAMES if n not in self.shared and (n, p) not in self.owns]
        name = rng.choice(names)
        self.owns.add((name, p))
        self.own_names.add(name)
        return "as:" + name

    def tie(self, rng, rows, cols):
        same = [n for n, sh in self.shared.items() if sh == (rows, cols)]
        if same and rng.random() < 0.8:
            return "shared:" + rng.choice(same)
        names = [n for n in self.NAMES if n not in self.shared and n not in self.own_names]
        name = rng.choice(names)
        self.shared[name] = (rows, cols)
        return "shared:" + name


def random_inputs(rng, Ls, l, consumed, p_explicit=0.6, p_dense=0.3, p_skip=0.4, fams=None, p_fam=0.0):
    """layer l's inputs: dense(previous) by default, else a random choice of
    earlier layers, dense (or, with fams, `as NAME` or `shared NAME`
    sometimes, and always for a layer whose plain weights feed another) and
    skip"""
    L = Ls[l]
    if rng.random() >= p_explicit:
        L.inputs = [("dense", l - 1)]
        L.explicit = rng.random() < 0.1
    else:
        cands = []
        for p in range(l):
            if rng.random() < (0.75 if p == l - 1 else p_dense):
                if fams is not None and (p in consumed or rng.random() < p_fam):
                    if rng.random() < 0.5:
                        cands.append((fams.own(rng, p), p))
                    else:
                        cands.append((fams.tie(rng, Ls[p].width, L.width), p))
                elif p not in consumed:
                    cands.append(("dense", p))
            if Ls[p].width == L.width and rng.random() < p_skip:
                cands.append(("skip", p))
        if not cands:
            cands = [("dense", l - 1)]
        rng.shuffle(cands)
        L.inputs = cands
        L.explicit = True
    for kind, p in L.inputs:
        if kind == "dense":
            consumed.add(p)


def add_dead(rng, L, p=0.25):
    if L.act == "relu" and L.act_written:
        for j in range(1, L.width + 1):
            if rng.random() < p:
                L.dead[j] = "y" if rng.random() < 0.8 else "x"


def loss_name(rng):
    return rng.choice(["Loss", "E", "J", "cost", "L_total", "err", "Obj"])


def fam_net_small(rng, feats, name="rnd"):
    nl = rng.randint(2, 7)
    labels = gen_labels(rng, nl)
    Ls = []
    consumed = set()
    # input layers after the first, `dense(L) as NAME`, `dense(L) shared NAME`
    p_input = rng.choice([0, 0, 0.2, 0.35]) if feats.get("families") else 0
    fams = Fams() if feats.get("families") and rng.random() < 0.5 else None
    p_fam = rng.choice([0.2, 0.5]) if fams else 0
    for l in range(nl):
        L = Layer(labels[l], rng.randint(1, 5))
        Ls.append(L)
        if l == 0:
            continue
        if l < nl - 1 and rng.random() < p_input:
            L.is_input = True
            continue
        set_act(rng, L, pick_act(rng, feats, L.width, p_layer=0.2))
        random_inputs(rng, Ls, l, consumed, p_explicit=0.8 if fams else 0.6, fams=fams, p_fam=p_fam)
        L.bias = rng.random() < 0.35
        add_dead(rng, L)
    return net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "sum", "mse"]),
                     of_mode="any")


def fam_net_rnn(rng, feats, name="rnn"):
    """a recurrent network unrolled over T steps: an input layer x_t at each
    step (`layer x1 : 2 input;`), the state h_t = act(dense(h_{t-1}) shared W
    + dense(x_t) shared U), sometimes a connection of its own (`as`), an
    output layer, a deep RNN of two state layers a step"""
    H = rng.randint(1, 3)
    I = rng.randint(1, 3)
    T = rng.randint(1, 8 if H <= 2 else 6)
    deep = rng.random() < 0.25
    style = rng.choice(["rnn", "rnn", "gen"])
    n = 1 + T * (3 if deep else 2) + 1
    labels = gen_labels(rng, n) if style == "gen" else None
    k = [0]

    def label(s_):
        k[0] += 1
        return s_ if labels is None else labels[k[0] - 1]
    Ls = [Layer(label("h0"), H)]
    wn, un, vn = rng.sample(["W", "U", "V", "Wh", "K2", "as", "shared", "Tie_1"], 3)
    act = pick_act(rng, feats)
    consumed = set()
    prev = 0
    prev2 = None
    for t in range(1, T + 1):
        xi = Layer(label("x%d" % t), I)
        xi.is_input = True
        Ls.append(xi)
        h = Layer(label("h%d" % t), H)
        set_act(rng, h, act if rng.random() < 0.85 else pick_act(rng, feats, H))
        ins = [("shared:" + wn, prev), ("shared:" + un, len(Ls) - 1)]
        if rng.random() < 0.1:
            ins[1] = ("as:Ux", len(Ls) - 1)
        if rng.random() < 0.3:
            ins.reverse()
        if prev2 is not None and rng.random() < 0.2:
            ins.append(("skip", prev2))
        h.inputs = ins
        h.explicit = True
        h.bias = rng.random() < 0.3
        add_dead(rng, h, 0.15)
        Ls.append(h)
        cur = len(Ls) - 1
        if deep:
            h2 = Layer(label("g%d" % t), H)
            set_act(rng, h2, act)
            h2.inputs = [("shared:" + vn, cur)]
            if t > 1:
                h2.inputs.append(("skip", prev2 if rng.random() < 0.5 else cur))
            h2.explicit = True
            Ls.append(h2)
            cur = len(Ls) - 1
        prev2, prev = prev, cur
    if rng.random() < 0.6:
        out = Layer(label("out"), rng.randint(1, 3))
        set_act(rng, out, pick_act(rng, feats, out.width))
        if rng.random() < 0.5:
            out.inputs = [("dense", prev)]
            out.explicit = rng.random() < 0.5
        else:
            out.inputs = [("as:P", prev)]
            out.explicit = True
        Ls.append(out)
    b = net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "sum", "mse"]),
                  of_mode="any")
    b.desc += ", %d steps%s" % (T, " (deep)" if deep else "")
    return b


def fam_net_densenet(rng, feats, name="dnet"):
    """a dense block: every layer takes every earlier one, the previous through
    dense(L), the others through weights of their own (dense(L) as NAME) or
    tied ones (shared), some input layers among them"""
    nl = rng.randint(3, 7)
    labels = gen_labels(rng, nl)
    w = rng.choice([1, 1, 2])
    Ls = []
    fams = Fams()
    consumed = set()
    per_layer = rng.random() < 0.5
    for l in range(nl):
        L = Layer(labels[l], w if rng.random() < 0.8 else rng.randint(1, 3))
        Ls.append(L)
        if l == 0:
            continue
        if 0 < l < nl - 1 and rng.random() < 0.15:
            L.is_input = True
            continue
        set_act(rng, L, pick_act(rng, feats, L.width))
        ins = [("dense", l - 1)]
        own = "D%d" % l if per_layer else None
        for p in range(l - 2, -1, -1):
            if rng.random() < 0.85:
                if own and ("as:" + own, p) not in [(k_, q) for k_, q in ins]:
                    ins.append(("as:" + own, p))
                elif rng.random() < 0.7:
                    ins.append((fams.own(rng, p), p))
                else:
                    ins.append((fams.tie(rng, Ls[p].width, L.width), p))
        if rng.random() < 0.3:
            rng.shuffle(ins)
        L.inputs = ins
        L.explicit = True
        L.bias = rng.random() < 0.25
        add_dead(rng, L, 0.15)
    b = net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "sum", "mse"]),
                  of_mode="any")
    return b


def fam_net_resnet(rng, feats, name="res"):
    """residual blocks of one width: many skips"""
    w = rng.randint(1, 3)
    nb = rng.randint(2, 12)
    labels = gen_labels(rng, 2 * nb + 1, rng.choice(["int", "h", "plus", "nminus"]))
    Ls = [Layer(labels[0], w)]
    consumed = set()
    act = pick_act(rng, feats)
    for k in range(nb):
        a = Layer(labels[2 * k + 1], rng.randint(1, 3) if rng.random() < 0.5 else w)
        set_act(rng, a, act if rng.random() < 0.7 else pick_act(rng, feats, a.width))
        Ls.append(a)
        a.inputs = [("dense", len(Ls) - 2)]
        consumed.add(len(Ls) - 2)
        add_dead(rng, a, 0.15)
        c = Layer(labels[2 * k + 2], w)
        set_act(rng, c, act if rng.random() < 0.7 else pick_act(rng, feats, c.width))
        Ls.append(c)
        c.inputs = [("dense", len(Ls) - 2), ("skip", len(Ls) - 3)]
        if rng.random() < 0.3:
            c.inputs.reverse()
        c.explicit = True
        consumed.add(len(Ls) - 2)
        c.bias = rng.random() < 0.3
        add_dead(rng, c, 0.15)
    return net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "mse"]))


def fam_net_deep(rng, feats, depth, name="deep", nskips=None):
    """a chain of width 1-2, default dense(previous) inputs, some skips
    (about nskips of them: few keep --collapse's families few)"""
    if nskips is None:
        nskips = rng.choice([0, 2, 5, depth // 100, depth // 25])
    skip_p = nskips / depth
    style = rng.choice(["int", "h", "nminus", "plus"])
    labels = gen_labels(rng, depth, style)
    two = rng.random() < 0.4
    Ls = []
    consumed = set()
    act_run = pick_act(rng, feats)
    for l in range(depth):
        if two:
            wdt = 2 if (l // rng.choice([1, 7, 50])) % 3 == 0 else 1
        else:
            wdt = 1
        L = Layer(labels[l], wdt)
        Ls.append(L)
        if l == 0:
            continue
        if rng.random() < 0.05:
            act_run = pick_act(rng, feats)
        set_act(rng, L, act_run if rng.random() < 0.8 else pick_act(rng, feats, wdt, p_layer=0.03, max_width=2))
        L.inputs = [("dense", l - 1)]
        if l >= 2 and rng.random() < skip_p:
            cands = [p for p in range(max(0, l - 5), l - 1) if Ls[p].width == wdt]
            if cands:
                L.inputs.append(("skip", rng.choice(cands)))
                L.explicit = True
        elif rng.random() < 0.02:
            L.explicit = True
        consumed.add(l - 1)
        L.bias = rng.random() < 0.1
        add_dead(rng, L, 0.02)
    b = net_block(rng, feats, name, Ls, loss_name(rng),
                  pick_loss(rng, feats, Ls, [None, "sum", "mse"], p_fold=0.15), ref_hint=None)
    # REF somewhere near the top often (few paths, long chain)
    if rng.random() < 0.5:
        l = rng.randint(max(1, depth - 30), depth - 1)
        b.wrt = rng.choice(["y[%s][1]" % Ls[l].label, "w[%s][1][1]" % Ls[l - 1].label])
        b.lines = [s if not s.startswith("derive ") else "derive %s wrt %s;" % (b.of, b.wrt)
                   for s in b.lines]
    return b


def fam_net_wide(rng, feats, big=False, name="wide"):
    if big:
        widths = [rng.randint(2, 6), rng.randint(250, 400), rng.randint(1, 3)]
    else:
        widths = [rng.randint(1, 4)]
        for _ in range(rng.randint(1, 3)):
            widths.append(rng.choice([rng.randint(20, 200), rng.randint(1, 4)]))
        widths.append(rng.randint(1, 3))
        if max(widths) < 20:
            widths[1] = rng.randint(20, 150)
    # keep the weights count reasonable
    while sum(a * b for a, b in zip(widths, widths[1:])) > 150000:
        i = max(range(len(widths)), key=lambda k: widths[k])
        widths[i] //= 2
    labels = gen_labels(rng, len(widths))
    Ls = []
    consumed = set()
    for l, wdt in enumerate(widths):
        L = Layer(labels[l], wdt)
        Ls.append(L)
        if l == 0:
            continue
        set_act(rng, L, pick_act(rng, feats, L.width, p_layer=0.08, max_width=400))
        random_inputs(rng, Ls, l, consumed, p_explicit=0.3)
        L.bias = rng.random() < 0.4
        add_dead(rng, L, 0.02)
    return net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "sum", "mse"]))


def fam_net_fanin(rng, feats, k=None, name="fanin"):
    """one layer with k dense inputs, each from its own small layer"""
    k = k or rng.randint(65, 80)
    w0 = rng.choice([1, 1, 2])
    labels = gen_labels(rng, k + 3, rng.choice(["int", "h", "ident", "plus"]))
    Ls = [Layer(labels[0], w0)]
    consumed = set()
    feeders = []
    for i in range(k):
        L = Layer(labels[i + 1], w0)
        Ls.append(L)
        l = len(Ls) - 1
        set_act(rng, L, pick_act(rng, feats, w0) if rng.random() < 0.5 else "identity")
        srcs = [p for p in range(l) if Ls[p].width == w0]
        ins = [("skip", rng.choice(srcs[:1] + srcs[-3:]))]
        if rng.random() < 0.1 and 0 not in consumed:
            ins = [("dense", 0)]
            consumed.add(0)
        elif rng.random() < 0.1:
            other = ("skip", rng.choice(srcs))
            if other not in ins:
                ins.append(other)
        L.inputs = ins
        L.explicit = True
        L.bias = rng.random() < 0.2
        feeders.append(l)
    big = Layer(labels[k + 1], rng.randint(1, 3))
    set_act(rng, big, pick_act(rng, feats, big.width))
    order = list(feeders)
    rng.shuffle(order)
    big.inputs = [("dense", p) for p in order]
    if big.width == w0 and rng.random() < 0.3:
        big.inputs.insert(rng.randint(0, len(big.inputs)), ("skip", 0))
    big.explicit = True
    big.bias = rng.random() < 0.4
    add_dead(rng, big, 0.2)
    for p in order:
        consumed.add(p)
    Ls.append(big)
    if rng.random() < 0.7:
        out = Layer(labels[k + 2], rng.randint(1, 2))
        set_act(rng, out, pick_act(rng, feats, out.width))
        out.inputs = [("dense", len(Ls) - 1)]
        Ls.append(out)
    b = net_block(rng, feats, name, Ls, loss_name(rng), pick_loss(rng, feats, Ls, [None, "mse"]))
    r = rng.random()
    lab = [L.label for L in Ls]
    bi = len(Ls) - 1 if big is Ls[-1] else len(Ls) - 2
    if r < 0.4:
        p = rng.choice(feeders)
        b.wrt = "w[%s][%d][%d]" % (lab[p], rng.randint(1, w0), rng.randint(1, big.width))
    elif r < 0.7:
        b.wrt = "y[%s][1]" % lab[0]
    elif r < 0.85:
        b.wrt = "y[%s][%d]" % (lab[rng.choice(feeders)], rng.randint(1, w0))
    b.lines = [s if not s.startswith("derive ") else "derive %s wrt %s;" % (b.of, b.wrt)
               for s in b.lines]
    b.desc += ", fan-in %d into %s" % (k, lab[bi][:20])
    return b


def fam_net_longnames(rng, feats):
    nl = rng.randint(3, 6)
    labels = long_labels(rng, nl)
    Ls = []
    consumed = set()
    for l in range(nl):
        L = Layer(labels[l], rng.randint(1, 3))
        Ls.append(L)
        if l == 0:
            continue
        set_act(rng, L, pick_act(rng, feats, L.width))
        random_inputs(rng, Ls, l, consumed)
        L.bias = rng.random() < 0.4
        add_dead(rng, L, 0.2)
    return net_block(rng, feats, ident(rng, 200), Ls, ident(rng, rng.choice([200, 199, 120])),
                     pick_loss(rng, feats, Ls, [None, "mse"]), of_mode="any")


# ====================================================================== expressions

ADD, MUL, NEG, POW, ATOM = 1, 2, 3, 4, 5


class Ex:
    __slots__ = ("op", "args", "text", "prec", "lo", "hi", "lip", "opaque", "unk")

    def mag(self):
        return max(abs(self.lo), abs(self.hi))


def ex_var(name, lo, hi):
    e = Ex()
    e.op, e.args, e.text, e.prec = "var", (name,), name, ATOM
    e.lo, e.hi, e.lip, e.opaque, e.unk = lo, hi, 1.0, False, False
    return e


def ex_num(rng, value=None):
    if value is None:
        value = rng.choice([0.5, 2, 3, 0.25, 1.5, 0.1, 1, 0.75, 2.5, 1.25, 0.3, 0.05])
    g = "%g" % value
    forms = [g, g]
    if "e" not in g:
        forms.append(g + "e0")
        forms.append(g + "0" if "." in g else g + ".0")
        if g.startswith("0."):
            forms.append(g[1:])
        if value == int(value) and value < 100:
            forms += [str(int(value))] * 3
        forms.append(("%.3e" % value).replace("e+", "e"))
    text = rng.choice(forms)
    e = Ex()
    e.op, e.args, e.text, e.prec = "num", (float(text),), text, ATOM
    e.lo = e.hi = float(text)
    assert e.lo != 0, text
    e.lip, e.opaque, e.unk = 0.0, False, False
    return e


def paren(e, need):
    return "(" + e.text + ")" if need else e.text


def ex_neg(a):
    e = Ex()
    e.op, e.args, e.prec = "neg", (a,), NEG
    if a.prec == NEG:
        e.text = "- " + a.text
    else:
        e.text = "-" + paren(a, a.prec < NEG)
    e.lo, e.hi, e.lip = -a.hi, -a.lo, a.lip
    e.opaque, e.unk = a.opaque, a.unk
    return e


def ex_bin(op, a, b):
    e = Ex()
    p = ADD if op in "+-" else MUL
    e.op, e.args, e.prec = op, (a, b), p
    e.text = "%s %s %s" % (paren(a, a.prec < p), op, paren(b, b.prec <= p))
    if op == "+":
        e.lo, e.hi, e.lip = a.lo + b.lo, a.hi + b.hi, a.lip + b.lip
    elif op == "-":
        e.lo, e.hi, e.lip = a.lo - b.hi, a.hi - b.lo, a.lip + b.lip
    elif op == "*":
        ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        e.lo, e.hi, e.lip = min(ps), max(ps), a.lip * b.mag() + b.lip * a.mag()
    else:
        assert b.lo > 0 or b.hi < 0
        m = min(abs(b.lo), abs(b.hi))
        r = (1.0 / b.hi, 1.0 / b.lo)
        ps = [a.lo * r[0], a.lo * r[1], a.hi * r[0], a.hi * r[1]]
        e.lo, e.hi = min(ps), max(ps)
        e.lip = a.lip / m + b.lip * a.mag() / (m * m)
    e.opaque, e.unk = a.opaque or b.opaque, a.unk or b.unk
    return e


def ex_pow(rng, a, n):
    e = Ex()
    e.op, e.args, e.prec = "pow", (a, n), POW
    if n >= 0:
        ntext = str(n)
    else:
        ntext = rng.choice(["-%d" % -n, "(-%d)" % -n])
    e.text = paren(a, a.prec < ATOM) + "^" + ntext
    lo, hi = a.lo, a.hi
    if n == 0:
        e.lo = e.hi = 1.0
        e.lip = 0.0
    else:
        k = abs(n)
        if n < 0:
            assert lo > 0 or hi < 0
            lo, hi = 1.0 / hi, 1.0 / lo
        if k % 2 == 1 or lo >= 0:
            e.lo, e.hi = lo ** k, hi ** k
        elif hi <= 0:
            e.lo, e.hi = hi ** k, lo ** k
        else:
            e.lo, e.hi = 0.0, max(lo ** k, hi ** k)
        if e.lo > e.hi:
            e.lo, e.hi = e.hi, e.lo
        if n > 0:
            e.lip = k * a.mag() ** (k - 1) * a.lip
        else:
            m = min(abs(a.lo), abs(a.hi))
            e.lip = k * (1.0 / m) ** (k + 1) * a.lip
    e.opaque, e.unk = a.opaque, a.unk
    return e


def ex_call(f, args, known):
    e = Ex()
    e.op, e.args, e.prec = "call", (f,) + tuple(args), ATOM
    e.text = "%s(%s)" % (f, ", ".join(a.text for a in args))
    e.opaque = (f not in known) or any(a.opaque for a in args)
    e.unk = f not in PY_FUNCS or any(a.unk for a in args)
    a = args[0]
    lo, hi, L = a.lo, a.hi, a.lip
    if f not in known:
        e.lo, e.hi, e.lip = -1.0, 1.0, sum(x.lip for x in args)
    elif f == "exp":
        e.lo, e.hi, e.lip = math.exp(lo), math.exp(hi), math.exp(hi) * L
    elif f == "log":
        e.lo, e.hi, e.lip = math.log(lo), math.log(hi), L / lo
    elif f == "sqrt":
        e.lo, e.hi, e.lip = math.sqrt(lo), math.sqrt(hi), L / (2 * math.sqrt(lo))
    elif f in ("sin", "cos"):
        e.lo, e.hi, e.lip = -1.0, 1.0, L
    elif f == "tanh":
        e.lo, e.hi, e.lip = math.tanh(lo), math.tanh(hi), L
    elif f == "sigmoid":
        e.lo, e.hi, e.lip = PY_FUNCS["sigmoid"](lo), PY_FUNCS["sigmoid"](hi), L / 4
    elif f in ("relu",):
        e.lo, e.hi, e.lip = max(lo, 0.0), max(hi, 0.0), L
    elif f == "identity":
        e.lo, e.hi, e.lip = lo, hi, L
    elif f == "abs":
        e.lo = lo if lo >= 0 else (-hi if hi <= 0 else 0.0)
        e.hi, e.lip = max(abs(lo), abs(hi)), L
    elif f in ("max", "min"):
        b = args[1]
        fn = max if f == "max" else min
        e.lo, e.hi, e.lip = fn(lo, b.lo), fn(hi, b.hi), L + b.lip
    elif f == "leaky_relu":
        e.lo, e.hi, e.lip = min(lo, 0.0) if lo < 0 else lo, max(hi, 0.0), L
    elif f == "softplus":
        e.lo, e.hi, e.lip = 0.0, max(hi, 0.0) + 0.7, L
    elif f == "elu":
        e.lo, e.hi, e.lip = -2.0, max(hi, 0.0) * 1.1, 1.8 * L
    elif f in ("gelu", "swish"):
        e.lo, e.hi, e.lip = -0.3, max(hi, 0.0) * 1.1, 1.2 * L
    else:
        raise AssertionError(f)
    if e.lo > e.hi:
        e.lo, e.hi = e.hi, e.lo
    return e


class ExprGen:
    def __init__(self, rng, feats, opaque=False):
        self.rng = rng
        self.known = set(feats["funcs1"]) | set(feats["funcs2"])
        self.f1 = list(feats["funcs1"])
        self.f2 = list(feats["funcs2"])
        self.opaque = opaque
        self.squash = [f for f in ("tanh", "sin", "cos", "sigmoid") if f in self.known]

    def leaf(self, pool):
        rng = self.rng
        if pool and rng.random() < 0.85:
            name, lo, hi = rng.choice(pool)
            return ex_var(name, lo, hi)
        return ex_num(rng)

    def bound(self, e, limit=20.0):
        if e.mag() > limit:
            return ex_call(self.rng.choice(self.squash), [e], self.known)
        return e

    def safe_pos(self, e, floor=0.3):
        """an expression >= floor made of e"""
        rng = self.rng
        if e.lo >= floor:
            return e
        r = rng.random()
        one = ex_num(rng, rng.choice([1, 0.5, 2]))
        if r < 0.4:
            return ex_bin("+", ex_pow(rng, self.bound(e), 2), one)
        if r < 0.7 and "exp" in self.known:
            return ex_call("exp", [ex_call(self.rng.choice(self.squash), [e], self.known)], self.known)
        s = ex_call(rng.choice(self.squash), [e], self.known)
        return ex_bin("+", ex_num(rng, rng.choice([2, 3, 1.5])), s)

    def gen(self, pool, depth):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            return self.leaf(pool)
        r = rng.random()
        if r < 0.35:
            op = rng.choice("+-*")
            a, b = self.gen(pool, depth - 1), self.gen(pool, depth - 1)
            if op == "-" and a.text == b.text:
                op = "+"
            e = ex_bin(op, a, b)
        elif r < 0.45:
            a = self.gen(pool, depth - 1)
            d = self.gen(pool, depth - 1)
            if not (d.lo > 0.3 or d.hi < -0.3):
                d = self.safe_pos(d)
            e = ex_bin("/", a, d)
        elif r < 0.52:
            e = ex_neg(self.gen(pool, depth - 1))
        elif r < 0.62:
            a = self.bound(self.gen(pool, depth - 1), 4.0)
            n = rng.choice([2, 2, 3, 1, 4, -1, -2, 0])
            if n < 0 and not (a.lo > 0.3 or a.hi < -0.3):
                a = self.safe_pos(a)
            e = ex_pow(rng, a, n)
        elif r < 0.92 or not self.f2:
            f = rng.choice(self.f1 + (OPAQUE1 if self.opaque else []))
            a = self.gen(pool, depth - 1)
            if f == "exp" and a.hi > 3:
                a = ex_call(rng.choice(self.squash), [a], self.known) if rng.random() < 0.6 \
                    else ex_neg(ex_pow(rng, self.bound(a), 2))
            elif f in ("log", "sqrt"):
                a = self.safe_pos(a)
            e = ex_call(f, [a], self.known)
        else:
            f = rng.choice(self.f2 + (OPAQUE2 if self.opaque else []))
            a, b = self.gen(pool, depth - 1), self.gen(pool, depth - 1)
            if list(ex_names(a, {})) == list(ex_names(b, {})):
                # max(relu(s), s), max(s^1, s): equal functions tie everywhere;
                # an offset keeps ties improbable
                b = ex_bin(rng.choice("+-"), b, ex_num(rng, rng.choice([0.5, 0.3, 1.25, 0.75])))
            e = ex_call(f, [a, b], self.known)
        return self.bound(e)


def ex_names(e, out):
    """distinct variable names in order of first appearance (the printing is
    in order, so this is the textual order)"""
    if e.op == "var":
        if e.args[0] not in out:
            out[e.args[0]] = None
    elif e.op == "num":
        pass
    elif e.op == "call":
        for a in e.args[1:]:
            ex_names(a, out)
    elif e.op == "pow":
        ex_names(e.args[0], out)
    elif e.op == "isum":
        ex_names(e.args[4], out)
    else:
        for a in e.args:
            ex_names(a, out)
    return out


def ex_eval(e, env, acc):
    """the value of e with env's values; acc[0] collects the largest |value|
    seen, acc[1] the smallest |argument| of a kinked function"""
    op = e.op
    if op == "var":
        v = env[e.args[0]]
    elif op == "num":
        v = e.args[0]
    elif op == "neg":
        v = -ex_eval(e.args[0], env, acc)
    elif op == "pow":
        v = ex_eval(e.args[0], env, acc) ** e.args[1]
    elif op == "call":
        f = e.args[0]
        xs = [ex_eval(a, env, acc) for a in e.args[1:]]
        if f in ("relu", "abs", "leaky_relu"):
            acc[1] = min(acc[1], abs(xs[0]))
        elif f in ("max", "min"):
            acc[1] = min(acc[1], abs(xs[0] - xs[1]))
        v = PY_FUNCS[f](*xs)
    else:
        a = ex_eval(e.args[0], env, acc)
        b = ex_eval(e.args[1], env, acc)
        v = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else a / b
    acc[0] = max(acc[0], abs(v))
    return v


def ex_kinks(e, env, acc):
    """only the kink distances (for expressions with unknown formulas)"""
    try:
        ex_eval(e, env, acc)
    except (KeyError, TypeError, ValueError, OverflowError, ZeroDivisionError):
        pass


# ====================================================================== graphs

def graph_block(rng, feats, name, inputs, assigns, order_stmts, of, wrt, opaque):
    """assigns: [(name, Ex)] in a topological order"""
    b = Block("graph", name)
    m = Model()
    for v in inputs:
        m.add(v, [])
    for v, e in assigns:
        m.add(v, [(c, "op") for c in ex_names(e, {})])
    b.model = m
    b.assigns = dict(assigns)
    b.leaves = list(inputs)
    b.of, b.wrt = of, wrt
    b.numeric = not any(e.opaque for _, e in assigns)
    out = ["graph %s {" % name]
    stmts = []
    if len(inputs) > 3 and rng.random() < 0.3:
        cut = rng.randint(1, len(inputs) - 1)
        stmts.append("input %s;" % ", ".join(inputs[:cut]))
        stmts.append("input %s;" % ", ".join(inputs[cut:]))
    else:
        stmts.append("input %s;" % ", ".join(inputs))
    body = ["%s = %s;" % (v, e.text) for v, e in assigns]
    if order_stmts:
        rng.shuffle(body)
    stmts += body
    stmts.insert(rng.randint(1, len(stmts)) if rng.random() < 0.3 else len(stmts),
                 "derive %s wrt %s;" % (of, wrt))
    out += stmts
    out.append("}")
    b.lines = out
    defined = set(inputs) | set(v for v, _ in assigns)
    nope = "undefined_" + ident(rng, 3)
    b.bad_refs = [("--wrt", nope, "undefined name"), ("--of", nope + "x", "undefined name"),
                  ("--wrt", "%s[1]" % inputs[0], "a graph variable has no index"),
                  ("--wrt", "%s[" % inputs[0], "malformed reference")]
    assert nope not in defined
    b.desc = "graph %s: %d inputs, %d assignments%s" % (
        name[:20], len(inputs), len(assigns), ", opaque" if not b.numeric else "")
    return b


def pick_graph_refs(rng, inputs, assigns, m):
    names = [v for v, _ in assigns]
    of = names[-1] if rng.random() < 0.7 else rng.choice(names)
    r = rng.random()
    if r < 0.6:
        wrt = rng.choice(inputs)
    elif r < 0.9:
        wrt = rng.choice(names)
    elif r < 0.95:
        wrt = of
    else:
        wrt = rng.choice(inputs + names)
    return of, wrt


def fam_graph_small(rng, feats, opaque=False, name="g"):
    used = set()
    ni = rng.randint(1, 4)
    inputs = [short_name(rng, used) for _ in range(ni)]
    pool = [(v, 0.5, 1.5) for v in inputs]
    gen = ExprGen(rng, feats, opaque)
    assigns = []
    for _ in range(rng.randint(1, 14)):
        v = short_name(rng, used)
        e = gen.gen(pool, rng.randint(1, 4))
        if not ex_names(e, {}):
            e = ex_bin("+", e, gen.leaf([p for p in pool]) if pool else e)
            if not ex_names(e, {}):
                nm, lo, hi = rng.choice(pool)
                e = ex_bin("*", e, ex_var(nm, lo, hi))
        e = scale_lip(rng, e, 2.0)
        assigns.append((v, e))
        pool.append((v, e.lo, e.hi))
    of, wrt = pick_graph_refs(rng, inputs, assigns, None)
    return graph_block(rng, feats, name, inputs, assigns, rng.random() < 0.2, of, wrt, opaque)


def scale_lip(rng, e, limit):
    """keep |gradient| bounded along chains: e times a constant <= limit/lip"""
    if e.lip <= limit or e.opaque:
        return e
    c = limit / e.lip
    digits = max(0, -int(math.floor(math.log10(c)))) + 1
    c = math.floor(c * 10 ** digits) / 10 ** digits
    if c <= 0:
        c = 10.0 ** -digits
    n = ex_num(rng, c)
    return ex_bin("*", n, e)


def fam_graph_chain(rng, feats, n=None, name="chain"):
    used = set()
    ni = rng.randint(1, 3)
    inputs = [short_name(rng, used) for _ in range(ni)]
    if n is None:
        n = int(math.exp(rng.uniform(math.log(30), math.log(3000))))
    gen = ExprGen(rng, feats, False)
    pool_in = [(v, 0.5, 1.5) for v in inputs]
    assigns = []
    prev = pool_in[0]
    extra = rng.random()
    for i in range(n):
        v = "s%d_" % (i + 1)
        pool = [prev] * 3
        if rng.random() < 0.3:
            pool.append(rng.choice(pool_in))
        if i >= 2 and rng.random() < extra * 0.5:
            pool.append(rng.choice(assigns[-min(len(assigns), 5):])[2])
        e = gen.gen(pool, rng.randint(1, 3))
        if prev[0] not in ex_names(e, {}):
            e = ex_bin("+", e, ex_bin("*", ex_num(rng, 0.5), ex_var(*prev)))
        e = scale_lip(rng, e, 0.95)
        assigns.append((v, e, (v, e.lo, e.hi)))
        prev = (v, e.lo, e.hi)
    assigns = [(v, e) for v, e, _ in assigns]
    of = assigns[-1][0]
    r = rng.random()
    wrt = rng.choice(inputs) if r < 0.5 else assigns[rng.randint(max(0, n - 40), n - 1)][0] \
        if r < 0.8 else assigns[rng.randint(0, n - 1)][0]
    return graph_block(rng, feats, name, inputs, assigns, rng.random() < 0.1, of, wrt, False)


def fam_graph_fanin(rng, feats, name="wideg"):
    used = set()
    ni = rng.randint(1, 4)
    inputs = [short_name(rng, used) for _ in range(ni)]
    pool = [(v, 0.5, 1.5) for v in inputs]
    gen = ExprGen(rng, feats, False)
    k = rng.randint(70, 110)
    assigns = []
    for i in range(k):
        v = "v%d_%s" % (i, rng.choice(["", "a", "z"]))
        e = gen.gen(pool, rng.randint(0, 2))
        if not ex_names(e, {}):
            e = ex_bin("+", e, ex_var(*rng.choice(pool)))
        e = scale_lip(rng, e, 2.0)
        assigns.append((v, e))
    vs = [(v, e.lo, e.hi) for v, e in assigns]
    order = list(vs)
    rng.shuffle(order)
    terms = []
    for t in order:
        r = rng.random()
        if r < 0.5:
            terms.append(ex_var(*t))
        elif r < 0.8:
            terms.append(ex_bin("*", ex_num(rng), ex_var(*t)))
        else:
            terms.append(ex_call(rng.choice(gen.squash), [ex_var(*t)], gen.known))
    tot = terms[0]
    for t in terms[1:]:
        tot = ex_bin(rng.choice("+-"), tot, t)
    tot = scale_lip(rng, gen.bound(tot, 1e9), 2.0)
    assigns.append(("F", tot))
    of = "F"
    r = rng.random()
    wrt = rng.choice(inputs) if r < 0.6 else rng.choice(vs)[0]
    return graph_block(rng, feats, name, inputs, assigns, False, of, wrt, False)


def fam_graph_longnames(rng, feats, name):
    used = set()
    inputs = list(dict.fromkeys(ident(rng, rng.choice([200, 199, 3])) for _ in range(rng.randint(1, 3))))
    pool = [(v, 0.5, 1.5) for v in inputs]
    gen = ExprGen(rng, feats, False)
    assigns = []
    while len(assigns) < 1 or (len(assigns) < 5 and rng.random() < 0.7):
        v = ident(rng, rng.choice([200, 150, 1 + rng.randint(0, 5)]))
        if v in used or v in inputs:
            continue
        used.add(v)
        e = gen.gen(pool, rng.randint(1, 3))
        if not ex_names(e, {}):
            e = ex_bin("+", e, ex_var(*pool[0]))
        e = scale_lip(rng, e, 2.0)
        assigns.append((v, e))
        pool.append((v, e.lo, e.hi))
    of, wrt = pick_graph_refs(rng, inputs, assigns, None)
    return graph_block(rng, feats, name, inputs, assigns, False, of, wrt, False)


# ====================================================================== indexed graphs
#
# A program with indexed names and loops is written with `for`, `sum` and
# `prod`, and modelled by unrolling it here: its expressions are generated
# as *templates* whose variables are tokens @N@ (a reference NAME[iexpr]...
# or a loop variable used as a number), rendered in the text with their
# index expressions and instantiated, for each value of the loop variables,
# into the ordinary expressions of the model (a sum or prod written out, one
# edge per distinct name of the expanded expression).

TOKEN = re.compile(r"@(\d+)@")


def ix_int(n):
    return ("int", n)


def ix_var(v):
    return ("var", v)


def ix_add(a, c):
    """a + c (a - |c| for c < 0), c an integer"""
    if c == 0:
        return a
    return ("+", a, ix_int(c)) if c > 0 else ("-", a, ix_int(-c))


def ix_eval(e, env):
    op = e[0]
    if op == "int":
        return e[1]
    if op == "var":
        return env[e[1]]
    if op == "neg":
        return -ix_eval(e[1], env)
    a, b = ix_eval(e[1], env), ix_eval(e[2], env)
    return a + b if op == "+" else a - b if op == "-" else a * b


def ix_text(e):
    """(text, precedence) as fmt writes it: spaces around binary operators,
    parentheses only where the tree needs them"""
    op = e[0]
    if op == "int":
        return str(e[1]), 4
    if op == "var":
        return e[1], 4
    if op == "neg":
        t, p = ix_text(e[1])
        return ("-(%s)" % t if p < 4 or e[1][0] == "neg" else "-" + t), 3
    pr = 1 if op in "+-" else 2
    lt, lp = ix_text(e[1])
    rt, rp = ix_text(e[2])
    if lp < pr:
        lt = "(%s)" % lt
    if rp <= pr:
        rt = "(%s)" % rt
    return "%s %s %s" % (lt, op, rt), pr


def ixt(e):
    return ix_text(e)[0]


def ix_range(e, lo_v, hi_v, var):
    """the values of e for var in lo_v..hi_v"""
    return [ix_eval(e, {var: v}) for v in range(lo_v, hi_v + 1)]


def ix_fit(rng, var, lo_v, hi_v, lo, hi, tries=30):
    """an index expression of var whose values for var in lo_v..hi_v lie in
    lo..hi (None when none is found)"""
    v = ix_var(var)
    for _ in range(tries):
        r = rng.random()
        c = rng.randint(-3, 3)
        if r < 0.4:
            e = ix_add(v, c)
        elif r < 0.55:
            e = ix_add(("*", ix_int(rng.choice([2, 3])), v), c)
        elif r < 0.65:
            e = ix_add(("*", v, ix_int(2)), c)
        elif r < 0.75:
            e = ("-", ix_int(rng.randint(lo_v, max(lo_v, hi + hi_v))), v)
        elif r < 0.82:
            e = ix_add(("neg", ("neg", v)), c)
        elif r < 0.9:
            e = ("*", ("+", v, ix_int(rng.randint(0, 2))), ix_int(rng.choice([1, 2])))
        else:
            e = ("-", ix_add(v, c + 2), ix_int(2))
        vals = ix_range(e, lo_v, hi_v, var)
        if all(lo <= x <= hi for x in vals):
            return e
    if lo <= lo_v and hi_v <= hi:
        return v
    return None


def ix_bound(rng, n):
    """the integer n as an index expression (a loop's bound)"""
    r = rng.random()
    if r < 0.75:
        return ix_int(n)
    if r < 0.85 and n >= 2:
        return ("+", ix_int(n - 1), ix_int(1))
    if r < 0.93 and n % 2 == 0 and n > 0:
        return ("*", ix_int(2), ix_int(n // 2))
    if n >= 1:
        return ("-", ix_int(n + 2), ix_int(2))
    return ix_int(n)


class IxProg:
    """an indexed graph being generated: its tokens, statements and model"""

    def __init__(self, rng, feats):
        self.rng = rng
        self.gen = ExprGen(rng, feats, False)
        self.known = self.gen.known
        self.toks = {}             # token -> ("ref", base, [ix]) | ("lvar", ix)
        self.decls = []            # input declarations, as written
        self.leaves = []
        self.stmts = []            # ("def", base, [ix], template) | ("for", var, A, B, [stmts])
        self.bounds = {}           # family (or scalar) -> (lo, hi)
        self.arrays = {}           # input family -> [(lo, hi)] of each index
        self.used = set()
        self.prng = random.Random(0)

    def name(self):
        return short_name(self.rng, self.used)

    def declare(self, base, ranges=None):
        """an input: a scalar, or a family over ranges [(lo, hi)]"""
        if not ranges:
            self.decls.append(base)
            self.leaves.append(base)
        else:
            self.decls.append(base + "".join("[%d]" % lo if lo == hi else "[%d..%d]" % (lo, hi)
                                             for lo, hi in ranges))
            for combo in itertools.product(*[range(lo, hi + 1) for lo, hi in ranges]):
                self.leaves.append(base + "".join("[%d]" % i for i in combo))
            self.arrays[base] = list(ranges)
        self.bounds[base] = (0.5, 1.5)

    def ref(self, base, ixs, lo=None, hi=None):
        """a template variable: base[ixs...] (a scalar without ixs)"""
        if not ixs:
            lo_, hi_ = self.bounds[base]
            return (base, lo_, hi_)
        tok = "@%d@" % len(self.toks)
        self.toks[tok] = ("ref", base, list(ixs))
        b = self.bounds.get(base, (-1.0, 1.5))
        return (tok, b[0] if lo is None else lo, b[1] if hi is None else hi)

    def lvar(self, ix, lo, hi):
        """a loop variable as a number in an expression"""
        tok = "@%d@" % len(self.toks)
        self.toks[tok] = ("lvar", ix)
        return (tok, float(lo), float(hi))

    def isum(self, kind, var, A, B, n, body):
        """sum(var in A..B, body) (prod) of n terms: a template node"""
        e = Ex()
        e.op, e.args, e.prec = "isum", (kind, var, A, B, body), ATOM
        e.text = "%s(%s in %s..%s, %s)" % (kind, var, ixt(A), ixt(B), body.text)
        if n == 0:
            e.lo = e.hi = 0.0 if kind == "sum" else 1.0
            e.lip = 0.0
        else:
            acc = body
            for _ in range(n - 1):
                acc = ex_bin("+" if kind == "sum" else "*", acc, body)
            e.lo, e.hi, e.lip = acc.lo, acc.hi, acc.lip
        e.opaque, e.unk = body.opaque, body.unk
        return e

    def fit(self, e, lo=-1.0, hi=1.5):
        """e within lo..hi (a squashing function around it otherwise)"""
        if e.lo >= lo and e.hi <= hi:
            return e
        f = self.rng.choice([f for f in ("tanh", "sin", "cos", "sigmoid") if f in self.known])
        return ex_call(f, [scale_lip(self.rng, e, self.rng.choice([1.0, 1.5, 2.5]))], self.known)

    def text(self, t):
        def sub(m):
            k = self.toks[m.group(0)]
            if k[0] == "lvar":
                tx, pr = ix_text(k[1])
                return tx if pr == 4 else "(%s)" % tx
            return k[1] + "".join("[%s]" % ixt(i) for i in k[2])
        return TOKEN.sub(sub, t)

    def inst(self, e, env):
        """the template e for the loop variables' values env: an expression
        of the model"""
        op = e.op
        if op == "var":
            nm = e.args[0]
            k = self.toks.get(nm)
            if k is None:
                return e
            if k[0] == "lvar":
                v = ix_eval(k[1], env)
                n = Ex()
                n.op, n.args, n.text, n.prec = "num", (float(v),), str(v), ATOM
                n.lo = n.hi = float(v)
                n.lip, n.opaque, n.unk = 0.0, False, False
                return n
            return ex_var(k[1] + "".join("[%d]" % ix_eval(i, env) for i in k[2]), e.lo, e.hi)
        if op == "num":
            return e
        if op == "neg":
            return ex_neg(self.inst(e.args[0], env))
        if op == "pow":
            return ex_pow(self.prng, self.inst(e.args[0], env), e.args[1])
        if op == "call":
            return ex_call(e.args[0], [self.inst(a, env) for a in e.args[1:]], self.known)
        if op == "isum":
            kind, var, A, B, body = e.args
            terms = []
            for j in range(ix_eval(A, env), ix_eval(B, env) + 1):
                env2 = dict(env)
                env2[var] = j
                terms.append(self.inst(body, env2))
            if not terms:
                n = Ex()
                v = 0.0 if kind == "sum" else 1.0
                n.op, n.args, n.text, n.prec = "num", (v,), "%g" % v, ATOM
                n.lo = n.hi = v
                n.lip, n.opaque, n.unk = 0.0, False, False
                return n
            acc = terms[0]
            for t in terms[1:]:
                acc = ex_bin("+" if kind == "sum" else "*", acc, t)
            return acc
        return ex_bin(op, self.inst(e.args[0], env), self.inst(e.args[1], env))

    def unroll(self, stmts, env, out):
        for st in stmts:
            if st[0] == "def":
                _, base, ixs, tpl = st
                nm = base + "".join("[%d]" % ix_eval(i, env) for i in ixs)
                out.append((nm, self.inst(tpl, env)))
            else:
                _, var, A, B, body = st
                for v in range(ix_eval(A, env), ix_eval(B, env) + 1):
                    env2 = dict(env)
                    env2[var] = v
                    self.unroll(body, env2, out)
        return out

    def render(self, stmts, depth, lines, heads):
        for st in stmts:
            pad = "    " * depth
            if st[0] == "def":
                _, base, ixs, tpl = st
                lhs = base + "".join("[%s]" % ixt(i) for i in ixs)
                lines.append(pad + "%s = %s;" % (lhs, self.text(tpl.text)))
                heads.append((depth, lhs + " = "))
            else:
                _, var, A, B, body = st
                h = "for %s in %s..%s {" % (var, ixt(A), ixt(B))
                lines.append(pad + h)
                heads.append((depth, h))
                self.render(body, depth + 1, lines, heads)
                lines.append(pad + "}")
                heads.append((depth, "}"))

    def expr(self, pool, must, depth=None, lip=None):
        """a random template over pool that uses every variable of must"""
        rng = self.rng
        e = self.gen.gen(pool, rng.randint(1, 3) if depth is None else depth)
        names = ex_names(e, {})
        for m_ in must:
            if m_[0] not in names:
                e = ex_bin(rng.choice("+-*"), e, ex_bin("*", ex_num(rng, rng.choice([0.5, 0.25, 1.5])),
                                                       ex_var(*m_)))
        if lip is not None:
            e = scale_lip(rng, e, lip)
        return e

    def block(self, name, of, wrt, shuffle=False):
        rng = self.rng
        assigns = self.unroll(self.stmts, {}, [])
        b = Block("graph", name)
        m = Model()
        for v in self.leaves:
            m.add(v, [])
        for v, e in assigns:
            assert v not in m.children, v
            m.add(v, [(c, "op") for c in ex_names(e, {})])
            assert all(c in m.children for c, _ in m.children[v]), (v, e.text)
        b.model = m
        b.assigns = dict(assigns)
        b.leaves = list(self.leaves)
        b.of, b.wrt = of, wrt
        b.numeric = True
        b.indexed = True
        stmts = list(self.stmts)
        if shuffle:
            rng.shuffle(stmts)
        decls = list(self.decls)
        lines = []
        heads = []
        if len(decls) > 2 and rng.random() < 0.3:
            cut = rng.randint(1, len(decls) - 1)
            ins = ["input %s;" % ", ".join(decls[:cut]), "input %s;" % ", ".join(decls[cut:])]
        else:
            ins = ["input %s;" % ", ".join(decls)]
        lines += ins
        heads += [(0, x) for x in ins]
        self.render(stmts, 0, lines, heads)
        # derive goes outside loops: after a line that leaves no loop open
        ok = [len(ins)]
        depth = 0
        for q, (_, h) in enumerate(heads):
            if h.startswith("for "):
                depth += 1
            elif h == "}":
                depth -= 1
            if depth == 0 and q >= len(ins) - 1:
                ok.append(q + 1)
        k = rng.choice(ok) if rng.random() < 0.3 else len(lines)
        d = "derive %s wrt %s;" % (of, wrt)
        lines.insert(k, d)
        heads.insert(k, (0, d))
        b.lines = ["graph %s {" % name] + lines + ["}"]
        b.heads = heads
        nope = "undefined_" + ident(rng, 3)
        b.bad_refs = [("--wrt", nope, "undefined name"), ("--of", nope + "x", "undefined name"),
                      ("--wrt", "%s[" % self.leaves[0].split("[")[0], "malformed reference")]
        for base, rs in self.arrays.items():
            b.bad_refs += [
                ("--wrt", base + "".join("[%d]" % lo for lo, _ in rs[:-1]) + "[%d]" % (rs[-1][1] + 1),
                 "an index beyond the declared range"),
                ("--wrt", base, "an indexed family without its indices"),
                ("--wrt", base + "[t]" * len(rs), "a loop variable in a reference"),
            ]
        # an element beyond a declared range may be defined in a loop
        b.bad_refs = [r_ for r_ in b.bad_refs if r_[1] not in m.children]
        b.ix_arrays = dict(self.arrays)
        b.desc = "graph %s: %d inputs (%s), %d statements, %d assignments unrolled" % (
            name[:20], len(self.leaves), " ".join(self.decls)[:60], len(self.stmts), len(assigns))
        return b


def fam_graph_rnn(rng, feats, name="rec"):
    """a recurrence over T <= 30 steps, h[t] = f(w * h[t-1] + u * x[t] ...):
    Pascanu's linear one, a squashed one, a two-step one (h[t-1] and h[t-2]:
    Fibonacci many paths), an LSTM-like pair of states; the loss one state,
    or a sum or product over the steps"""
    P = IxProg(rng, feats)
    T = int(math.exp(rng.uniform(0, math.log(30))))
    variant = rng.choice(["linear", "squash", "squash", "two", "lstm"])
    if variant == "linear":
        T = min(T, 20)
    if variant == "two":
        T = max(T, 3)
    sc = ["w", "u"] + (["b"] if rng.random() < 0.4 else [])
    for v in sc:
        P.used.add(v)
        P.declare(v)
    hn = rng.choice(["h", "s", "state"])
    xn = rng.choice(["x", "inp", "X"])
    P.used |= {hn, xn}
    shift = rng.random() < 0.25               # h[t + 1] = f(h[t], x[t + 1]) for t in 0..T-1
    x0 = rng.choice([0, 1]) if not shift else 1
    P.declare(xn, [(x0, T + x0 - 1)])
    first = 2 if variant == "two" else 1
    P.declare(hn, [(0, first - 1)])
    t = rng.choice(["t", "k", "step"])
    tv = ix_var(t)
    P.used.add(t)
    if shift:
        cur, prv, prv2 = ix_add(tv, 1), tv, ix_add(tv, -1)
        lo_v, hi_v = first - 1, T - 1
    else:
        cur, prv, prv2 = tv, ix_add(tv, -1), ix_add(tv, -2)
        lo_v, hi_v = first, T
    xt = P.ref(xn, [ix_add(cur, x0 - 1)])
    hp = P.ref(hn, [prv], -1.0, 1.5)
    scal = [P.ref(v, []) for v in sc]
    body = []
    if variant == "linear":
        e = ex_bin("+", ex_bin("*", ex_var(*scal[0]), ex_var(*hp)), ex_bin("*", ex_var(*scal[1]), ex_var(*xt)))
        if rng.random() < 0.3:
            e = ex_call(rng.choice(P.gen.squash), [e], P.known)
        body.append(("def", hn, [cur], e))
        P.bounds[hn] = (-1e9, 1e9)
    elif variant in ("squash", "two"):
        pool = scal + [hp, hp, xt]
        must = [hp]
        if variant == "two":
            hp2 = P.ref(hn, [prv2], -1.0, 1.5)
            pool += [hp2, hp2]
            must.append(hp2)
        if rng.random() < 0.3:
            pool.append(P.lvar(tv, lo_v, hi_v + 1))
        e = P.expr(pool, must, lip=rng.uniform(0.7, 1.3))
        body.append(("def", hn, [cur], P.fit(ex_call(rng.choice(P.gen.squash), [e], P.known)
                                              if rng.random() < 0.7 else e)))
    else:
        cn = rng.choice(["c", "cell"])
        P.used.add(cn)
        P.declare(cn, [(0, 0)]) if not shift and rng.random() < 0.5 else None
        have_c0 = cn in P.arrays
        pool = scal + [hp, xt]
        g1 = P.expr(pool, [hp], lip=1.5)
        g2 = P.expr(pool, [xt], lip=1.5)
        cp = P.ref(cn, [prv], -3.0, 3.0)
        cc = P.ref(cn, [cur], -3.0, 3.0)
        sig = "sigmoid" if "sigmoid" in P.known else P.gen.squash[0]
        if have_c0:
            ce = ex_bin("+", ex_bin("*", ex_call(sig, [g1], P.known), ex_var(*cp)),
                        ex_call("tanh" if "tanh" in P.known else sig, [g2], P.known))
            ce = ex_call(rng.choice(P.gen.squash), [ce], P.known) if rng.random() < 0.3 else \
                ex_bin("*", ex_num(rng, 0.5), ce)
        else:
            ce = ex_call(sig, [ex_bin("+", g1, g2)], P.known)
        body.append(("def", cn, [cur], ce))
        he = ex_bin("*", ex_call(rng.choice(P.gen.squash), [ex_var(*cc)], P.known),
                    ex_call(sig, [P.expr(pool, [hp], lip=1.2)], P.known))
        body.append(("def", hn, [cur], he))
    lo_b, hi_b = ix_bound(rng, lo_v), ix_bound(rng, hi_v)
    loop = ("for", t, lo_b, hi_b, body)
    if variant != "lstm" and T >= first + 1 and rng.random() < 0.2 and not shift:
        # the first step written out, the loop from the next
        env = {t: first}
        e1 = body[0][3]
        lit = P.inst(e1, env)
        # the same expression with the indices written as numbers
        e1t = ("def", hn, [ix_int(first)], _literal(P, e1, env))
        P.stmts = [e1t, ("for", t, ix_bound(rng, first + 1), hi_b, body)]
        assert lit is not None
    else:
        P.stmts = [loop]
    # the loss
    last = T if not shift else T
    r = rng.random()
    Ln = rng.choice(["L", "Lo", "J", "out"])
    P.used.add(Ln)
    if r < 0.3:
        of = "%s[%d]" % (hn, last)
    else:
        k = rng.choice(["j", "i", "q"])
        hk = P.ref(hn, [ix_var(k)], -1.0, 1.5)
        if r < 0.6:
            yn = "y_t"
            P.declare(yn, [(1, T)])
            yk = P.ref(yn, [ix_var(k)])
            body_ = ex_pow(rng, ex_bin("-", ex_var(*hk), ex_var(*yk)), 2)
            e = P.isum("sum", k, ix_int(1), ix_bound(rng, T), T, body_)
        elif r < 0.85:
            e = P.isum("sum", k, ix_int(rng.randint(1, T)), ix_bound(rng, T), None or 1,
                       ex_pow(rng, ex_var(*hk), rng.choice([1, 2])))
            e = _fix_isum(P, e, T)
        else:
            lo_k = max(1, T - rng.randint(0, 3))
            body_ = ex_bin("+", ex_var(*hk), ex_num(rng, 2))
            e = P.isum("prod", k, ix_int(lo_k), ix_int(T), T - lo_k + 1, body_)
        if rng.random() < 0.3:
            e = ex_bin("*", ex_num(rng, 0.5), e)
        P.stmts.append(("def", Ln, [], e))
        of = Ln
    # REF
    r = rng.random()
    if r < 0.25:
        wrt = rng.choice(sc)
    elif r < 0.5:
        wrt = "%s[0]" % hn
    elif r < 0.7:
        wrt = "%s[%d]" % (xn, rng.randint(x0, T + x0 - 1))
    elif r < 0.95:
        wrt = "%s[%d]" % (hn, rng.randint(first, T))
    else:
        wrt = of
    b = P.block(name, of, wrt, shuffle=rng.random() < 0.3)
    b.desc += ", %s recurrence, %d steps" % (variant, T)
    return b


def _fix_isum(P, e, T):
    """recompute a sum node's bounds for its true number of terms"""
    kind, var, A, B, body = e.args
    n = max(0, ix_eval(B, {}) - ix_eval(A, {}) + 1)
    return P.isum(kind, var, A, B, n, body)


def _literal(P, e, env):
    """the template e with its references' indices evaluated (written as
    integers): the statement of one step written outside the loop"""
    op = e.op
    if op == "var":
        k = P.toks.get(e.args[0])
        if k is None:
            return e
        if k[0] == "lvar":
            return P.inst(e, env)
        tok = "@%d@" % len(P.toks)
        P.toks[tok] = ("ref", k[1], [ix_int(ix_eval(i, env)) for i in k[2]])
        return ex_var(tok, e.lo, e.hi)
    if op == "num":
        return e
    if op == "neg":
        return ex_neg(_literal(P, e.args[0], env))
    if op == "pow":
        return ex_pow(P.rng, _literal(P, e.args[0], env), e.args[1])
    if op == "call":
        return ex_call(e.args[0], [_literal(P, a, env) for a in e.args[1:]], P.known)
    if op == "isum":
        raise AssertionError("a sum in a step written out")
    return ex_bin(op, _literal(P, e.args[0], env), _literal(P, e.args[1], env))


def fam_graph_mat(rng, feats, name="mlp"):
    """nested loops over matrices: h[l][i] = f(sum(j in 1..N, W[l][i][j] *
    h[l-1][j]) + ...) for l in 1..L, i in 1..N (sometimes a triangular j in
    1..i, a product, a matrix m[i][j] defined in a loop of its own)"""
    P = IxProg(rng, feats)
    L = rng.randint(1, 4)
    N = rng.randint(1, 4)
    Wn, hn = rng.choice(["W", "M", "A"]), rng.choice(["h", "z", "act"])
    P.used |= {Wn, hn}
    l, i, j = rng.sample(["l", "i", "j", "k", "r", "n_"], 3)
    P.used |= {l, i, j}
    P.declare(Wn, [(1, L), (1, N), (1, N)])
    P.declare(hn, [(0, 0), (1, N)])
    bias = rng.random() < 0.4
    if bias:
        P.declare("bb", [(1, L), (1, N)])
        P.used.add("bb")
    a = None
    if rng.random() < 0.4:
        a = "a"
        P.used.add(a)
        P.declare(a)
    lv, iv, jv = ix_var(l), ix_var(i), ix_var(j)
    tri = rng.random() < 0.25
    w_ = P.ref(Wn, [lv, iv, jv])
    hp = P.ref(hn, [ix_add(lv, -1), jv], -1.0, 1.5)
    pool = [w_, hp] + ([P.ref(a, [])] if a else [])
    if rng.random() < 0.6:
        body = ex_bin("*", ex_var(*w_), ex_var(*hp))
    else:
        body = P.expr(pool, [w_, hp], depth=rng.randint(1, 2), lip=2.0)
        body = P.fit(body, -2.0, 2.0)
    kind = "prod" if rng.random() < 0.1 else "sum"
    A = ix_int(1)
    Bj = iv if tri else ix_bound(rng, N)
    n = N
    if kind == "prod":
        body = ex_bin("+", ex_num(rng, 1), ex_bin("*", ex_num(rng, 0.1), body))
    s_ = P.isum(kind, j, A, Bj, n, body)
    e = s_
    if bias:
        e = ex_bin("+", e, ex_var(*P.ref("bb", [lv, iv])))
    e = scale_lip(rng, e, rng.uniform(0.8, 2.0))
    e = P.fit(ex_call(rng.choice(P.gen.squash), [e], P.known) if rng.random() < 0.8 else e)
    inner = [("def", hn, [lv, iv], e)]
    if rng.random() < 0.3:
        # the products first, in a matrix of their own
        mn = "m"
        P.used.add(mn)
        mm = P.ref(mn, [lv, iv, jv], -2.0, 2.0)
        e2 = P.isum("sum", j, A, Bj, n, ex_var(*mm))
        if bias:
            e2 = ex_bin("+", e2, ex_var(*P.ref("bb", [lv, iv])))
        e2 = P.fit(ex_call(rng.choice(P.gen.squash), [scale_lip(rng, e2, 1.5)], P.known))
        inner = [("for", j, A, Bj, [("def", mn, [lv, iv, jv], P.fit(body, -2.0, 2.0))]),
                 ("def", hn, [lv, iv], e2)]
    P.stmts = [("for", l, ix_int(1), ix_bound(rng, L), [("for", i, ix_int(1), ix_bound(rng, N), inner)])]
    on = rng.choice(["out", "E", "cost"])
    P.used.add(on)
    q = rng.choice([x for x in ["q", "p", "s_"] if x not in (l, i, j)])
    hq = P.ref(hn, [ix_int(L), ix_var(q)], -1.0, 1.5)
    if rng.random() < 0.5:
        P.declare("target", [(1, N)])
        tq = P.ref("target", [ix_var(q)])
        ob = ex_pow(rng, ex_bin("-", ex_var(*hq), ex_var(*tq)), 2)
    else:
        ob = ex_var(*hq) if rng.random() < 0.5 else ex_pow(rng, ex_var(*hq), 2)
    P.stmts.append(("def", on, [], P.isum("sum", q, ix_int(1), ix_bound(rng, N), N, ob)))
    r = rng.random()
    if r < 0.4:
        wrt = "%s[%d][%d][%d]" % (Wn, rng.randint(1, L), rng.randint(1, N), rng.randint(1, N))
    elif r < 0.7:
        wrt = "%s[0][%d]" % (hn, rng.randint(1, N))
    elif r < 0.85:
        wrt = "%s[%d][%d]" % (hn, rng.randint(1, L), rng.randint(1, N))
    else:
        wrt = rng.choice(P.leaves)
    b = P.block(name, on, wrt, shuffle=rng.random() < 0.3)
    b.desc += ", %d layers of %d%s" % (L, N, ", triangular" if tri else "")
    return b


def fam_graph_idx(rng, feats, name="idx"):
    """indexed names at random: a family x[lo..hi], loops whose bodies take
    x at index expressions (t + 1, 2 * t - 1, 9 - t, -(-t)), the loop
    variable as a number, a loop whose bounds depend on an enclosing one,
    definitions of single elements outside loops, sums and products (some
    empty), statements in any order"""
    P = IxProg(rng, feats)
    P.used |= {"t", "i", "j", "k", "q", "p", "e_"}      # loop and sum variables
    lo, hi = rng.choice([0, 1, 2]), 0
    hi = lo + rng.randint(2, 11)
    xn = rng.choice(["x", "v", "data"])
    P.used.add(xn)
    P.declare(xn, [(lo, hi)])
    sc = []
    for _ in range(rng.randint(0, 2)):
        v = P.name()
        P.declare(v)
        sc.append(P.ref(v, []))
    fams = []                  # (base, lo, hi) of 1-index families defined so far
    nstmt = rng.randint(1, 4)
    loopvars = ["t", "i", "j", "k"]
    for s_ in range(nstmt):
        t = rng.choice(loopvars)
        tv = ix_var(t)
        src = [(xn, lo, hi)] + fams
        base, blo, bhi = rng.choice(src)
        A = rng.randint(max(0, blo - 2), bhi)
        B = min(A + rng.randint(0, 6), bhi + 2)
        if rng.random() < 0.08:
            B = A - 1          # an empty loop
        pool = list(sc)
        must = []
        for _ in range(rng.randint(1, 3)):
            fb, flo, fhi = rng.choice(src)
            ix = ix_fit(rng, t, A, max(A, B), flo, fhi)
            if ix is None:
                continue
            r_ = P.ref(fb, [ix], *( (0.5, 1.5) if fb == xn else (-1.0, 1.5)))
            pool.append(r_)
            must.append(r_)
        if not must:
            continue
        if rng.random() < 0.3:
            pool.append(P.lvar(tv, A, max(A, B)))
        e = P.expr(pool, must[:1], lip=2.0)
        sumvar = None
        if rng.random() < 0.3 and B >= A:
            # a sum over a window of x inside the loop
            j = "j" if t != "j" else "k"
            w0 = rng.randint(0, 2)
            ixj = ix_fit(rng, j, 0, w0, lo - A, hi - max(A, B))
            if ixj is not None:
                inner_ix = ("+", tv, ixj) if rng.random() < 0.5 else ("+", ixj, tv)
                if all(lo <= ix_eval(inner_ix, {t: tt, j: jj}) <= hi
                       for tt in range(A, max(A, B) + 1) for jj in range(0, w0 + 1)):
                    xr = P.ref(xn, [inner_ix])
                    kind = "prod" if rng.random() < 0.3 else "sum"
                    sb = ex_var(*xr) if kind == "sum" else ex_bin("+", ex_num(rng, 0.5), ex_var(*xr))
                    e = ex_bin(rng.choice("+*"), e, P.isum(kind, j, ix_int(0), ix_int(w0), w0 + 1, sb))
                    sumvar = j
        e = P.fit(scale_lip(rng, e, 2.0))
        nb = P.name()
        # the defined family's indices: t, or a shift of it
        off = rng.choice([0, 0, 1, -1]) if A - 1 >= 0 else rng.choice([0, 1])
        if A + off < 0:
            off = 0
        lhs = ix_add(tv, off)
        if rng.random() < 0.3 and B >= A and s_ > 0:
            # a nested loop whose bounds depend on t: a triangle q[t][u]
            # (not the sum's variable inside: a sum needs a name of its own)
            u = rng.choice([v for v in loopvars if v != t and v != sumvar])
            uv = ix_var(u)
            inner = ("for", u, ix_int(A), tv, [("def", nb, [lhs, uv], e)])
            P.stmts.append(("for", t, ix_bound(rng, A), ix_bound(rng, B), [inner]))
            # its diagonal as a family of its own, outside the loops
            if B >= A:
                dn = P.name()
                dl = ("def", dn, [], P.isum("sum", u, ix_int(A), ix_int(B), B - A + 1,
                                            ex_var(*P.ref(nb, [ix_add(uv, off), uv], -1.0, 1.5))))
                P.stmts.append(dl)
                sc.append((dn, -1.0 * (B - A + 1), 1.5 * (B - A + 1)))
                P.bounds[dn] = (sc[-1][1], sc[-1][2])
            continue
        P.stmts.append(("for", t, ix_bound(rng, A), ix_bound(rng, B), [("def", nb, [lhs], e)]))
        if B >= A:
            fams.append((nb, A + off, B + off))
            P.bounds[nb] = (-1.0, 1.5)
        # sometimes one element more, outside the loop
        if B >= A and rng.random() < 0.25:
            k = B + off + 1
            pool2 = [P.ref(nb, [ix_int(B + off)], -1.0, 1.5)] + sc
            e2 = P.fit(P.expr(pool2, pool2[:1], lip=2.0))
            P.stmts.append(("def", nb, [ix_int(k)], e2))
            fams[-1] = (nb, A + off, k)
    # the output: everything defined, summed
    parts = []
    for base, flo, fhi in fams:
        k = rng.choice(["q", "p"])
        r_ = P.ref(base, [ix_var(k)], -1.0, 1.5)
        kind = "prod" if rng.random() < 0.2 and fhi - flo < 4 else "sum"
        bd = ex_var(*r_) if kind == "sum" else ex_bin("+", ex_num(rng, 2), ex_var(*r_))
        parts.append(P.isum(kind, k, ix_int(flo), ix_int(fhi), fhi - flo + 1, bd))
    parts += [ex_var(*v) for v in sc]
    if not parts:
        parts = [ex_var(*P.ref(xn, [ix_int(lo)]))]
    if rng.random() < 0.15:
        parts.append(P.isum("sum", "e_", ix_int(3), ix_int(2), 0, ex_var(*P.ref(xn, [ix_var("e_")]))))
    rng.shuffle(parts)
    tot = parts[0]
    for p_ in parts[1:]:
        tot = ex_bin(rng.choice("+-*"), tot, p_)
    tot = scale_lip(rng, tot, 3.0)
    on = P.name()
    P.stmts.append(("def", on, [], tot))
    assigns = P.unroll(P.stmts, {}, [])
    names = [v for v, _ in assigns]
    r = rng.random()
    wrt = rng.choice(P.leaves) if r < 0.6 else rng.choice(names) if r < 0.95 else on
    b = P.block(name, on, wrt, shuffle=rng.random() < 0.3)
    return b


# ====================================================================== programs


FAMILIES = [("net_small", 24), ("graph_small", 18), ("graph_opaque", 6), ("net_resnet", 7),
            ("net_deep", 5), ("net_wide", 4), ("net_fanin", 3), ("graph_chain", 5),
            ("graph_fanin", 4), ("multi", 8), ("longnames", 3),
            # the newer forms: input layers, as, shared; indexed graphs with loops
            ("net_rnn", 6), ("net_densenet", 4), ("graph_rnn", 7), ("graph_mat", 4), ("graph_idx", 6)]
NEEDS = {"net_rnn": "families", "net_densenet": "families", "graph_rnn": "loops", "graph_mat": "loops",
         "graph_idx": "loops"}


class Program:
    def __init__(self, seed, family, blocks, rng):
        self.seed = seed
        self.family = family
        self.blocks = blocks
        parts = []
        for b in blocks:
            parts.append(render_block(rng, b.lines))
        self.text = "\n".join(parts)
        if rng.random() < 0.2:
            self.text = "# difffuzz seed %d (%s)\n" % (seed, family) + self.text


def render_block(rng, lines):
    """the block's text, with its layout scrambled a little sometimes (fmt
    must restore it)"""
    style = rng.random()
    out = []
    for i, s in enumerate(lines):
        inner = 0 < i < len(lines) - 1
        if style < 0.6:
            out.append(("    " if inner else "") + s)
        elif style < 0.8:
            ind = rng.choice(["", " ", "\t", "        "]) if inner else ""
            t = s
            if "//" not in t and "#" not in t and rng.random() < 0.5:
                t = re.sub(r"\s*([:=+,;])\s*", lambda m: rng.choice(["", " "]) + m.group(1)
                           + rng.choice(["", " ", "  "]), t)
            out.append(ind + t)
            if rng.random() < 0.1:
                out.append("")
        else:
            # join statements without comments onto lines
            if inner and out and not out[-1].endswith("{") and "#" not in out[-1] \
                    and "//" not in out[-1] and rng.random() < 0.5:
                out[-1] += " " + s
            else:
                out.append(("  " if inner else "") + s)
    return "\n".join(out) + "\n"


def make_program(seed, feats):
    rng = random.Random(seed)
    r = seed % 100
    if r == 0:
        fam = "limit_deep"
    elif r == 1:
        fam = "limit_fanin"
    elif r == 2:
        fam = "limit_wide"
    elif r == 3:
        fam = "limit_longnames"
    else:
        fl = [(f, w) for f, w in FAMILIES if f not in NEEDS or feats.get(NEEDS[f])]
        tot = sum(w for _, w in fl)
        x = rng.uniform(0, tot)
        for fam, w in fl:
            x -= w
            if x <= 0:
                break
    if fam == "limit_deep":
        blocks = [fam_net_deep(rng, feats, 10000, nskips=rng.randint(0, 6))]
    elif fam == "limit_fanin":
        blocks = [fam_net_fanin(rng, feats, rng.randint(65, 80))]
    elif fam == "limit_wide":
        blocks = [fam_net_wide(rng, feats, big=True)]
    elif fam in ("limit_longnames", "longnames"):
        nb = fam_net_longnames(rng, feats)
        gname = ident(rng, 200)
        while gname == nb.name:
            gname = ident(rng, 200)
        blocks = [nb, fam_graph_longnames(rng, feats, gname)]
        if rng.random() < 0.3:
            blocks.reverse()
    elif fam == "net_small":
        blocks = [fam_net_small(rng, feats)]
    elif fam == "net_resnet":
        blocks = [fam_net_resnet(rng, feats)]
    elif fam == "net_deep":
        if rng.random() < 0.1:
            d = rng.randint(3000, 10000)
        else:
            d = int(math.exp(rng.uniform(math.log(10), math.log(2500))))
        blocks = [fam_net_deep(rng, feats, d)]
    elif fam == "net_wide":
        blocks = [fam_net_wide(rng, feats)]
    elif fam == "net_rnn":
        blocks = [fam_net_rnn(rng, feats)]
    elif fam == "net_densenet":
        blocks = [fam_net_densenet(rng, feats)]
    elif fam == "graph_rnn":
        blocks = [fam_graph_rnn(rng, feats)]
    elif fam == "graph_mat":
        blocks = [fam_graph_mat(rng, feats)]
    elif fam == "graph_idx":
        blocks = [fam_graph_idx(rng, feats)]
    elif fam == "net_fanin":
        blocks = [fam_net_fanin(rng, feats, rng.randint(2, 80))]
    elif fam == "graph_small":
        blocks = [fam_graph_small(rng, feats)]
    elif fam == "graph_opaque":
        blocks = [fam_graph_small(rng, feats, opaque=True)]
    elif fam == "graph_chain":
        blocks = [fam_graph_chain(rng, feats)]
    elif fam == "graph_fanin":
        blocks = [fam_graph_fanin(rng, feats)]
    else:  # multi
        blocks = []
        names = set()
        for _ in range(rng.randint(2, 3)):
            nm = rng.choice(["alpha", "beta", "gam", "net_1", "G", "blk", "d2", "omega"])
            if nm in names:
                continue
            names.add(nm)
            k = rng.random()
            if k < 0.35:
                blocks.append(fam_net_small(rng, feats, nm))
            elif k < 0.5:
                blocks.append(fam_net_resnet(rng, feats, nm))
            elif k < 0.6 and feats.get("families"):
                blocks.append(rng.choice([fam_net_rnn, fam_net_densenet])(rng, feats, nm))
            elif k < 0.75 and feats.get("loops"):
                blocks.append(rng.choice([fam_graph_rnn, fam_graph_mat, fam_graph_idx])(rng, feats, nm))
            else:
                blocks.append(fam_graph_small(rng, feats, rng.random() < 0.3, nm))
    prog = Program(seed, fam, blocks, rng)
    prog.feats = feats
    return prog


# ====================================================================== running

class Results:
    def __init__(self, seed, verbose):
        self.seed = seed
        self.passed = 0
        self.failed = 0
        self.lines = []
        self.tags = []
        self.verbose = verbose
        self.log = []
        self.notes = []
        self.fd_noise = 0

    def check(self, cond, tag, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            self.tags.append(tag)
            self.lines.append("FAIL difffuzz seed=%d: [%s] %s" % (self.seed, tag, what))
        return cond


class Runner:
    def __init__(self, binary, timeout, res, path, tmpdir):
        self.binary = binary
        self.timeout = timeout
        self.res = res
        self.path = path
        self.tmpdir = tmpdir

    def show(self, args):
        return "pathgrad " + " ".join(FILE_MARK + (shlex.quote(a[len(self.path):]) if a != self.path else "")
                                      if a.startswith(self.path) else shlex.quote(a) for a in args)

    def run(self, args, expect=(0,), stdin=None, tag=None, quiet_ok=False):
        """run pathgrad; one check: the exit status is in expect (never a
        signal, a timeout, or a status beyond 0-2).  Returns (rc, out, err),
        rc None when it could not be judged."""
        t0 = time.time()
        try:
            p = subprocess.run([self.binary] + args, input=stdin.encode() if stdin is not None else None,
                               stdin=None if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=self.timeout)
            rc = p.returncode
            out = p.stdout.decode("utf-8", "replace")
            err = p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            self.res.check(False, tag or "timeout", "`%s` took more than %g s"
                           % (self.show(args), self.timeout))
            return None, "", ""
        except OSError as e:
            self.res.check(False, tag or "exec", "`%s`: %s" % (self.show(args), e))
            return None, "", ""
        if self.res.verbose:
            self.res.log.append("  %.3f s  exit %d  %s" % (time.time() - t0, rc,
                                                          self.show(args).replace(FILE_MARK, "FILE")))
        if rc < 0:
            self.res.check(False, "signal", "`%s` was killed by signal %d; stderr: %s"
                           % (self.show(args), -rc, short(err)))
            return None, out, err
        ok = rc in expect and 0 <= rc <= 3
        self.res.check(ok, tag or "exit", "`%s` exited %d, expected %s; stderr: %s"
                       % (self.show(args), rc, "/".join(map(str, expect)), short(err)))
        return (rc if ok else None), out, err


def short(s, n=300):
    s = s.strip().replace("\n", " | ")
    return (s[:n] + "...") if len(s) > n else (s or "(empty)")


def parse_json(text):
    return json.loads(text)


def strip_parens(t):
    return t.replace("(", "").replace(")", "")


def signed_split(rhs):
    """[(sign, term)] of a LaTeX sum: split at + and - outside braces and
    parentheses (line breaks \\\\ dropped); a leading - is the term's sign"""
    rhs = re.sub(r"\\\\\s*\n", " ", rhs.strip())
    if rhs == "0":
        return []
    out = []
    depth = 0
    cur = []
    sign = 1
    for ch in rhs:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch in "+-" and depth == 0:
            if "".join(cur).strip() and not SUMS.fullmatch("".join(cur).strip()):
                out.append((sign, "".join(cur).strip()))
                cur = []
                sign = 1
            if ch == "-":
                sign = -sign
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append((sign, "".join(cur).strip()))
    return out


# a family's sums, before its sign (\sum_{k=1}^{2}-\frac{t_{k}}{y^{k}_{n}}...)
SUMS = re.compile(r"(?:\\sum_\{(?:k_\{\d+\}|[a-z])(?:=\d+\}\^\{\d+\}|\\in\\\{[\d,]+\\\}\})\s*)+")


def signed_terms(rhs):
    """the terms of a sum as (sign, product without parentheses): a factor
    (0 - a) (a softmax's delta_kj - y^j for j != k, expanded) is -a, and
    its sign joins the term's"""
    out = []
    for sign, t in signed_split(rhs):
        t = norm(t)
        inner = signed_split(t)
        if len(inner) > 1:
            # a lone term that is a sum in parentheses, (y^{1}_{n}-t_{1}):
            # split as the same sum printed bare
            out += [(sign * s_, b_) for s_, b_ in signed_terms(t)]
            continue
        t = t.replace("(0-", "(-")
        sign *= (-1) ** t.count("(-")
        t = t.replace("(-", "(")
        if t.startswith("-"):
            sign, t = -sign, t[1:]
        out.append((sign, strip_parens(t)))
    return out


SUM = re.compile(r"\\sum_\{(k_\{\d+\}|[a-z])(?:=(\d+)\}\^\{(\d+)\}|\\in\\\{([\d,]+)\\\}\})")
VAR = re.compile(r"k_\{\d+\}|[klmprsuv]")
DELTA_IX = re.compile(r"k_\{\d+\}|[klmprsuv]|\d+")


def unwrap(s):
    """s without parentheses around all of it"""
    while s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(s) - 1:
                return s
        s = s[1:-1]
    return s


# a power of equal consecutive factors, {W^{22}}^{2} (a tied weight twice on a path)
FACTOR_POW = re.compile(r"(?<![_^])\{((?:[^{}]|\{[^{}]*\})*)\}\^\{(\d+)\}")


def norm(s):
    s = unwrap(re.sub(r"\s+", "", s))
    s = FACTOR_POW.sub(lambda m: m.group(1) * int(m.group(2)), s)
    return re.sub(r"\^\{([^{}]*)\}", lambda m: "^{" + m.group(1).replace(",", "") + "}", s)


def family_sums(fam):
    sums = []
    pos = 0
    while True:
        m = SUM.match(fam, pos)
        if not m:
            break
        vals = list(range(int(m.group(2)), int(m.group(3)) + 1)) if m.group(2) else \
            [int(v) for v in m.group(4).split(",")]
        sums.append((m.group(1), vals))
        pos = m.end()
    return sums, fam[pos:]


def expand_family(fam):
    sums, template = family_sums(fam)
    out = []
    for combo in itertools.product(*[v for _, v in sums]):
        env = {var: str(val) for (var, _), val in zip(sums, combo)}

        def sub_sup(m):
            return "^{" + VAR.sub(lambda v: env.get(v.group(0), v.group(0)), m.group(1)) + "}"

        def delta(m):
            # \delta_{kl}, \delta_{m11}, \delta_{k_{1}2}: two indices,
            # variables or integers, 1 when they are equal, else 0
            ix = [env.get(v, v) for v in DELTA_IX.findall(m.group(1))]
            assert len(ix) == 2, m.group(0)
            return "1" if ix[0] == ix[1] else "0"
        t = re.sub(r"\\delta_\{((?:[^{}]|\{[^{}]*\})*)\}", delta, template)
        # a target's index is a subscript: t_{k}
        t = re.sub(r"\bt_\{((?:[^{}]|\{[^{}]*\})*)\}",
                   lambda m: "t_{" + VAR.sub(lambda v: env.get(v.group(0), v.group(0)), m.group(1)) + "}", t)
        out.append(norm(re.sub(r"\^\{((?:[^{}]|\{[^{}]*\})*)\}", sub_sup, t)))
    return out


def family_size(fam):
    sums, _ = family_sums(fam)
    n = 1
    for _, v in sums:
        n *= len(v)
    return n


def latex_rhs(text):
    text = text.strip()
    if "=" not in text:
        return None
    return text.split("=", 1)[1]


# ---------------------------------------------------------------- the checks

def check_program(prog, binary, tmpdir, keep, timeout, verbose, feats):
    res = Results(prog.seed, verbose)
    path = os.path.join(tmpdir, "seed-%d.net" % prog.seed)
    with open(path, "w", encoding="utf-8") as f:
        f.write(prog.text)
    R = Runner(binary, timeout, res, path, tmpdir)
    rng = random.Random(prog.seed * 7919 + 1)
    first = prog.blocks[0].name
    R.run(["check", path], tag="check")
    # the file's derive statements: "OF wrt REF: N" in order
    want_lines = []
    counts = {}
    for b in prog.blocks:
        n = b.model.count(b.of, b.wrt)
        counts[b.name] = n
        want_lines.append("%s wrt %s: %d" % (b.of, b.wrt, n))
    rc, out, _ = R.run(["count", path], tag="count statements")
    if rc == 0:
        got = out.strip().split("\n")
        diff = [(g, w) for g, w in zip(got, want_lines) if g != w]
        res.check(len(got) == len(want_lines) and not diff, "count statements",
                  "`%s` printed %s, the model: %s" % (R.show(["count", path]),
                                                      short(out, 200), short("\n".join(want_lines), 200)))
    for b in prog.blocks:
        check_block(prog, b, R, res, rng, counts[b.name], b.name != first or rng.random() < 0.3, feats)
    check_fmt(prog, R, res, rng)
    check_errors(prog, R, res, rng)
    if res.failed or res.notes:
        try:
            os.makedirs(keep, exist_ok=True)
            kp = os.path.join(keep, "seed-%d.net" % prog.seed)
            with open(kp, "w", encoding="utf-8") as f:
                f.write(prog.text)
            if os.path.exists(path + ".values"):
                with open(path + ".values", encoding="utf-8") as f:
                    vtext = f.read()
                with open(kp + ".values", "w", encoding="utf-8") as f:
                    f.write(vtext)
            res.lines = [l.replace(FILE_MARK, kp) for l in res.lines]
            res.notes = [l.replace(FILE_MARK, kp) for l in res.notes]
            if res.failed:
                res.lines.append("    (program seed=%d, %s, saved to %s)" % (prog.seed, prog.family, kp))
        except OSError as e:
            res.lines.append("    (could not save the program: %s)" % e)
    res.lines = [l.replace(FILE_MARK, "FILE") for l in res.lines]
    res.notes = [l.replace(FILE_MARK, "FILE") for l in res.notes]
    return res


def check_block(prog, b, R, res, rng, n, use_block, feats):
    path = R.path
    blk = ["--block", b.name] if use_block else []
    sel = blk + ["--of", b.of, "--wrt", b.wrt]
    m = b.model
    # count
    rc, out, _ = R.run(["count", path] + sel, tag="count")
    if rc == 0:
        res.check(out.strip() == str(n), "count==model", "`%s` printed %s, the model counts %s paths"
                  % (R.show(["count", path] + sel), short(out, 120), short(str(n), 120)))
    # factored: whatever N, its count is the number of terms at stage local:
    # the paths without a dead neuron (networks), at most N (graphs: a local
    # derivative that simplifies to 0 takes its paths out)
    args = ["derive", path] + sel + ["--stage", "factored", "--format", "json"]
    rc, out, _ = R.run(args, tag="factored")
    factored = None
    if rc == 0:
        try:
            js = parse_json(out)
            factored = js.get("count")
            if b.kind == "net":
                live = m.count_avoiding(b.of, b.wrt, zero_edges(b, "factored"))
                res.check(factored == str(live), "factored count",
                          "`%s`: count %s, expected %s (paths without a dead neuron%s, of %s)%s"
                          % (R.show(args), short(str(factored), 80), short(str(live), 80),
                             " or a folded softmax edge j != k" if folds(b) else "", short(str(n), 80),
                             fold_note(b)))
            else:
                res.check(isinstance(factored, str) and factored.isdigit() and int(factored) <= n,
                          "factored count", "`%s`: count %s, more than the %s paths"
                          % (R.show(args), short(str(factored), 80), short(str(n), 80)))
        except ValueError as e:
            res.check(False, "json", "`%s`: invalid JSON (%s)" % (R.show(args), e))
    small = n <= MAX_ENUM
    maxlen = m.longest(b.of, b.wrt) if 0 < n <= MAX_ENUM else 0
    small = small and n * (maxlen + 1) <= MAX_ENUM_SIZE
    want = m.enumerate(b.of, b.wrt) if small else None
    if want and shared_ref(b):
        # a tied weight's terms come use by use, in the order of the layers
        # that use it (depth-first within a layer)
        want.sort(key=lambda pn: b.label_index[re.match(r"x\[(.*)\]\[\d+\]$", pn[0][-2]).group(1)]
                  if len(pn[0]) > 1 else -1)
    # paths: the histogram adds up to N
    args = ["paths", path] + sel + ["--format", "json"]
    rc, out, err = R.run(args, expect=(0, 1), tag="paths")
    if rc == 1:
        res.check("counters" in err, "paths", "`%s` refused: %s" % (R.show(args), short(err)))
    elif rc == 0:
        try:
            js = parse_json(out)
            hist = {int(x["length"]): int(x["paths"]) for x in js["lengths"]}
            res.check(sum(hist.values()) == n and js.get("count") == str(n), "paths count",
                      "`%s`: count %s, lengths add up to %d, expected %s"
                      % (R.show(args), short(str(js.get("count")), 60), sum(hist.values()), short(str(n), 60)))
            if want is not None and b.kind == "net":
                wh = collections.Counter(nj for _, nj in want)
                res.check(hist == dict(wh), "paths lengths", "`%s`: %s, the model: %s"
                          % (R.show(args), short(str(sorted(hist.items())), 150),
                             short(str(sorted(wh.items())), 150)))
        except (ValueError, KeyError, TypeError) as e:
            res.check(False, "json", "`%s`: bad JSON (%s)" % (R.show(args), e))
    # --max-terms below N is refused with the exact count
    if n >= 2 and (small or rng.random() < 0.3):
        k = rng.randint(1, min(n - 1, 10 ** 6)) if rng.random() < 0.5 else min(n - 1, 2 ** 62)
        args = ["derive", path] + sel + ["--stage", "chain", "--max-terms", str(k)]
        rc, out, err = R.run(args, expect=(1,), tag="max-terms")
        if rc == 1:
            res.check(out == "" and (" %d terms" % n) in err, "max-terms",
                      "`%s`: stdout %s, stderr %s (should name %s terms)"
                      % (R.show(args), short(out, 60), short(err), short(str(n), 60)))
    chain_paths = None
    if small:
        chain_paths, local_count = check_stages(b, R, res, sel, n, want)
        if factored is not None and local_count is not None:
            res.check(factored == local_count, "factored count", "`%s`: count %s, stage local lists %s terms"
                      % (R.show(["derive", path] + sel + ["--stage", "factored", "--format", "json"]),
                         factored, local_count))
    # collapse
    if b.kind == "net":
        check_collapse(b, R, res, rng, sel, n, small, chain_paths)
    elif small:
        a1 = ["derive", path] + sel + ["--stage", "local", "--max-terms", "0"]
        rc1, o1, _ = R.run(a1, tag="derive")
        rc2, o2, _ = R.run(a1 + ["--collapse"], tag="collapse")
        if rc1 == 0 and rc2 == 0 and o1 != o2 and b.indexed and re.search(r"\\(sum|prod)_\{", o2) \
                and not re.search(r"\\(sum|prod)_\{", o1):
            # a recurrence folded into sums over t of products (LANGUAGE.md,
            # "Unrolled graphs"; tests/collapse_graph_check.py expands them
            # back): here, its JSON count is the number of paths and no
            # term is written `+-`
            res.check("+-" not in o2, "collapse graph", "`%s` writes a negative term as `+-`"
                      % R.show(a1 + ["--collapse"]))
            rc3, o3, _ = R.run(a1 + ["--collapse", "--format", "json"], tag="collapse")
            m = re.search(r'"count": "(\d+)"', o3 or "")
            res.check(rc3 == 0 and m is not None and int(m.group(1)) == n, "collapse graph",
                      "`%s`: count %s, expected %d" % (R.show(a1 + ["--collapse", "--format", "json"]),
                                                       m.group(1) if m else None, n))
        elif rc1 == 0 and rc2 == 0:
            res.check(o1 == o2, "collapse graph", "`%s` differs from the output without --collapse"
                      % R.show(a1 + ["--collapse"]))
    check_eval(b, R, res, rng, blk)
    if b.kind == "net":
        check_eval_values(b, R, res, rng, blk)


def check_stages(b, R, res, sel, n, want):
    path = R.path
    chain = None
    local_count = None
    stages = ["chain", "local"]
    if b.kind == "net":
        stages = ["chain", "act", "local"]
        # stage forward writes every y by its forward path sum: the output
        # grows with them (refused beyond 5,000 terms or 3,000 levels)
        if n <= 200 and len(b.layers) <= 60 and b.model.size() <= 20000:
            stages.append("forward")
    for stage in stages:
        args = ["derive", path] + sel + ["--stage", stage, "--format", "json", "--max-terms", "0"]
        rc, out, err = R.run(args, expect=(0, 1) if stage == "forward" else (0,), tag="derive")
        if rc == 1:
            res.check(out == "" and ("terms" in err or "levels" in err), "forward refused",
                      "`%s`: stdout %s, stderr %s" % (R.show(args), short(out, 60), short(err)))
            continue
        if rc != 0:
            continue
        try:
            js = parse_json(out)
            terms = js["terms"]
            got = [t["path"] for t in terms]
            jc = js["count"]
        except (ValueError, KeyError, TypeError) as e:
            res.check(False, "json", "`%s`: bad JSON (%s)" % (R.show(args), e))
            continue
        res.check(js.get("of") == b.of and js.get("wrt") == b.wrt and js.get("stage") == stage,
                  "json header", "`%s`: of/wrt/stage %r/%r/%r" % (R.show(args), js.get("of"),
                                                                  js.get("wrt"), js.get("stage")))
        res.check(jc == str(len(terms)), "count==terms", "`%s`: count %s, %d terms listed"
                  % (R.show(args), jc, len(terms)))
        if stage == "local":
            local_count = jc
        wp = [p for p, _ in want]
        if stage == "chain":
            chain = got
            res.check(jc == str(n), "chain count", "`%s`: count %s, expected %d" % (R.show(args), jc, n))
            if got != wp:
                same = sorted(map(tuple, got)) == sorted(map(tuple, wp))
                first = next((i for i, (g, w) in enumerate(zip(got, wp)) if g != w), min(len(got), len(wp)))
                res.check(False, "chain paths" if not same else "dfs order",
                          "`%s`: %d terms, the model %d; first difference at term %d: %s, expected %s"
                          % (R.show(args), len(got), len(wp), first,
                             short(str(got[first] if first < len(got) else None), 150),
                             short(str(wp[first] if first < len(wp) else None), 150)))
            else:
                res.passed += 1
        elif b.kind == "net":
            zero = zero_edges(b, stage)
            live = [p for p in wp if not any((u, v) in zero for u, v in zip(p, p[1:]))]
            what = "chain minus paths through a dead neuron%s%s" % (
                " or a folded softmax edge j != k" if stage != "act" and folds(b) else "",
                " or a softmax of width 1 (constant)" if stage == "forward" and any(
                    L.act == "softmax" and L.width == 1 for L in b.layers[1:]) else "")
            if stage == "forward" and any(L.dead for L in b.layers):
                # a weight whose input is a dead neuron (its forward sum 0)
                # takes its terms out too
                it = iter(live)
                sub = all(any(p == q for q in it) for p in got)
                res.check(sub, "forward paths", "`%s`: the %d terms are not a subsequence of the %d "
                          "paths of the model (%s)%s" % (R.show(args), len(got), len(live), what, fold_note(b)))
            else:
                res.check(got == live, "%s paths" % stage, "`%s`: %d terms, the model (%s) %d%s"
                          % (R.show(args), len(got), what, len(live), fold_note(b)))
        else:
            it = iter(wp)
            sub = all(any(p == q for q in it) for p in got)
            res.check(sub, "%s paths" % stage, "`%s`: the %d terms are not a subsequence of the %d chain paths"
                      % (R.show(args), len(got), len(wp)))
    return chain, local_count


def check_collapse(b, R, res, rng, sel, n, small, chain_paths):
    path = R.path
    # the number of shapes (layer-level paths) bounds the number of families;
    # their size is about shapes x path length
    lof, lref = layer_node(b, b.of), layer_node(b, b.wrt)
    shapes = b.shapes.count(lof, lref)
    cost = shapes * (b.shapes.longest(lof, lref) if 0 < shapes <= 10 ** 6 else 10 ** 6)
    args = ["derive", path] + sel + ["--stage", "chain", "--collapse", "--format", "json"]
    if shapes <= 20 or cost <= 300000:
        rc, out, err = R.run(args + ["--max-terms", "0"], expect=(0,), tag="collapse")
        args = args + ["--max-terms", "0"]
    else:
        # probably too many families to print: refused (fast), unless most
        # shapes hold no term (indices tied by shortcuts to different values)
        args = args + ["--max-terms", "20"]
        rc, out, err = R.run(args, expect=(0, 1), tag="collapse")
        if rc == 1:
            res.check("families" in err and out == "", "collapse", "`%s` (%s shapes): stdout %s, stderr %s"
                      % (R.show(args), short(str(shapes), 40), short(out, 60), short(err)))
    if rc == 0:
        try:
            js = parse_json(out)
            res.check(js.get("count") == str(n), "collapse count", "`%s`: count %s, expected %s"
                      % (R.show(args), short(str(js.get("count")), 80), short(str(n), 80)))
        except ValueError as e:
            res.check(False, "json", "`%s`: bad JSON (%s)" % (R.show(args), e))
    if not small:
        return
    for stage in ("chain", "act", "local"):
        a_full = ["derive", path] + sel + ["--stage", stage, "--max-terms", "0"]
        a_coll = ["derive", path] + sel + ["--stage", stage, "--collapse"]
        rc1, full, _ = R.run(a_full, tag="derive")
        rc2, coll, err = R.run(a_coll, expect=(0, 1), tag="collapse")
        if rc2 == 1:
            res.check("families" in err, "collapse", "`%s` refused: %s" % (R.show(a_coll), short(err)))
            continue
        if rc1 != 0 or rc2 != 0:
            continue
        unbalanced = [l for l in full.split("\n") if l.count("{") != l.count("}")]
        # a power of a tied weight once left a brace open in its sibling
        # terms ({W^{11W^{21}...; tests/cases/tied_power)
        res.check(not unbalanced, "latex braces", "`%s` prints a line with unbalanced braces: %s"
                  % (R.show(a_full), short(unbalanced[0], 160) if unbalanced else ""))
        if unbalanced:
            continue
        rf, rc_ = latex_rhs(full), latex_rhs(coll)
        if rf is None or rc_ is None:
            res.check(False, "latex", "`%s` or `%s`: no '='" % (R.show(a_full), R.show(a_coll)))
            continue
        # the expanded terms, and every family expanded back: signed terms
        # (a sum is split at its + and - outside brackets, so a lone term
        # that is a bare sum, Φ+xφ, splits alike on both sides)
        want = signed_terms(rf)
        fams = signed_split(rc_)
        size = sum(family_size(norm(f)) for _, f in fams)
        if size > 4 * len(want) + 100:
            res.check(False, "collapse terms", "`%s`: its %d families stand for %d terms, the expanded "
                      "output has %d%s" % (R.show(a_coll), len(fams), size, len(want), fold_note(b)))
            continue
        got = []
        for sign, f in fams:
            for t in expand_family(norm(f)):
                got += [(s_ * sign, b_) for s_, b_ in signed_terms(t)]
        if sorted(got) == sorted(want):
            res.passed += 1
        else:
            cg, cw = collections.Counter(got), collections.Counter(want)
            show_t = lambda ts: " ; ".join(("-" if sg < 0 else "") + bd for sg, bd in ts)
            extra = list((cg - cw).elements())[:2]
            missing = list((cw - cg).elements())[:2]
            res.check(False, "collapse terms",
                      "`%s` expands to %d terms, `%s` has %d; collapsed only: %s; expanded only: %s%s"
                      % (R.show(a_coll), len(got), R.show(a_full), len(want),
                         short(show_t(extra), 200), short(show_t(missing), 200), fold_note(b)))


def eval_cost(b):
    m = b.model
    cnt, depth = m.from_of(b.of)
    size = m.size()
    fd = min(len(b.leaves), 2000) * size
    ps = 0
    for leaf in b.leaves:
        c = cnt.get(leaf, 0)
        if c <= 10 ** 6:
            ps += c * (depth + 1)
    return fd + ps


def check_eval(b, R, res, rng, blk):
    path = R.path
    seed = str(rng.randrange(1, 1 << 30))
    if not b.numeric:
        # an opaque function that OF depends on cannot be evaluated (one
        # elsewhere in the graph may or may not be evaluated)
        cone, _ = b.model.from_of(b.of)
        needed = any(b.assigns[v].opaque for v in cone if v in b.assigns)
        args = ["eval", path] + blk + ["--seed", seed, "--of", b.of]
        rc, out, err = R.run(args, expect=(1,) if needed else (0, 1), tag="eval opaque")
        if rc == 1:
            res.check(out == "" and "opaque" in err, "eval opaque", "`%s`: stdout %s, stderr %s"
                      % (R.show(args), short(out, 80), short(err)))
        return
    checking = eval_cost(b) <= EVAL_CHECK_BUDGET
    args = ["eval", path] + blk + ["--seed", seed, "--format", "json", "--of", b.of]
    if checking:
        args.append("--check")
    # an xent loss takes the log of the last layer's y: where one may be <= 0
    # (relu, tanh, ...) eval may refuse the loss (whatever --of is)
    maybe_log0 = b.kind == "net" and b.loss_kind == "xent" and b.layers[-1].act not in POSITIVE_ACTS
    # exit 3 (a disagreement) is judged below, from the JSON that explains it
    rc, out, err = R.run(args, expect=((0, 3) if checking else (0,)) + ((1,) if maybe_log0 else ()),
                         tag="eval")
    if rc == 1:
        res.check(out == "" and "not finite" in err, "eval xent", "`%s`: stdout %s, stderr %s (an xent "
                  "loss of a y <= 0 should be refused as not finite)" % (R.show(args), short(out, 80), short(err)))
        return
    if b.kind == "net" and b.loss_kind == "xent" and rc is not None:
        try:
            vals = parse_json(out)["values"]
            last = b.layers[-1]
            low = min(vals["y[%s][%d]" % (last.label, k)] for k in range(1, last.width + 1))
            res.check(low > 0, "eval xent", "`%s` exited 0 with an xent loss of a y = %r: -t log y is "
                      "not finite" % (R.show(args), low))
        except (ValueError, KeyError, TypeError):
            pass
    judge_eval(b, R, res, args, rc, out, err, checking)


def judge_eval(b, R, res, args, rc, out, err, checking, targets=None, given=None):
    """the JSON of `eval ... --format json`: its --check, its leaves, the
    value of OF, every value recomputed from its operands; with targets
    (values from a file), the loss and every gradient recomputed here, and
    the leaves' values those of the file (given)"""
    if rc is None:
        return
    try:
        js = parse_json(out)
        vals = js["values"]
        grad = js["grad"]
    except (ValueError, KeyError, TypeError) as e:
        res.check(False, "json", "`%s`: bad JSON (%s): %s" % (R.show(args), e, short(out, 200)))
        return
    kink = kink_distance(b, vals)
    if checking:
        try:
            chk = js["check"]
            ps, fd = chk["path_sum"], chk["finite_differences"]
            # gradients whose paths cross a kink (an input exactly on it) are
            # left out of the central differences and listed in at_a_kink
            counts_ok = (ps["compared"] + ps["skipped"] == len(grad)
                         and fd["compared"] + len(chk.get("at_a_kink", [])) == min(len(grad), 2000))
            ps_ok = ps["worst_relative"] <= 1e-9
            fd_ok = fd["worst_relative"] <= 1e-6
            # central differences carry a round-off error of about
            # eps * |values| / h; pathgrad compares it with the gradient
            # (at least 1e-4 x the largest): with a small gradient next to
            # large values it exceeds 1e-6 where nothing is wrong
            gmax = max([abs(g) for g in grad.values()] + [0.0])
            vmax = max([abs(v) for v in vals.values()] + [abs(js.get("loss") or 0.0)])
            noise = 2.2e-16 * 10 * vmax / (1e-5 * 1e-4 * gmax) if gmax > 0 else float("inf")
            if counts_ok and ps_ok and not fd_ok and fd["worst_relative"] <= noise and not STRICT_FD[0]:
                res.notes.append("note difffuzz seed=%d: `%s` exits %d on finite differences alone (%g), "
                                 "within their round-off (%.3g: values up to %.3g, gradients up to %.3g); "
                                 "not counted" % (res.seed, R.show(args), rc, fd["worst_relative"],
                                                  noise, vmax, gmax))
                res.fd_noise += 1
            else:
                res.check(rc == 0, "eval check", "`%s` exited %d: %s" % (R.show(args), rc, short(err)))
                note = "" if kink > 1e-3 else " (an argument of a kinked function is %.3g from its kink)" % kink
                res.check(counts_ok and ps_ok and fd_ok, "eval check", "`%s`: %s, %d gradients%s"
                          % (R.show(args), json.dumps(chk), len(grad), note))
        except (KeyError, TypeError) as e:
            res.check(False, "json", "`%s`: no check (%s)" % (R.show(args), e))
    res.check(set(grad) == set(b.leaves), "eval leaves", "`%s`: gradients for %d variables, the "
              "model has %d leaves; e.g. %s" % (R.show(args), len(grad), len(b.leaves),
                                                short(str(sorted(set(grad) ^ set(b.leaves))[:3]))))
    res.check(js.get("of") == b.of and b.of in vals and js.get("loss") == vals[b.of],
              "eval of", "`%s`: of %r, value %r, values[OF] %r" % (R.show(args), js.get("of"),
                                                                  js.get("loss"), vals.get(b.of)))
    bad = recompute(b, vals, targets)
    res.check(bad is None, "eval values", "`%s`: %s" % (R.show(args), bad))
    if given is None or bad is not None:
        return
    wrong = [(v, x, vals.get(v)) for v, x in given.items() if vals.get(v) != x]
    res.check(not wrong, "eval values", "`%s`: the value of %s is %r, the VALUES file gives %r (and %d more)"
              % ((R.show(args),) + ((wrong[0][0], wrong[0][2], wrong[0][1], len(wrong) - 1) if wrong
                                    else ("", 0, 0, 0))))
    if wrong or set(grad) != set(b.leaves):
        return
    mine = net_reverse(b, vals, targets)
    worst = None
    for v, (g, scale) in mine.items():
        d = abs(grad[v] - g)
        if d > 1e-9 * scale + 1e-300 and (worst is None or d / max(scale, 1e-300) > worst[0]):
            worst = (d / max(scale, 1e-300), v, grad[v], g)
    res.check(worst is None, "eval grad", "`%s`: the gradient of %s is %r, reverse mode here %r "
              "(relative to its paths' |products| %.3g)" % ((R.show(args),) + (
                  (worst[1], worst[2], worst[3], worst[0]) if worst else ("", 0, 0, 0))))


def fmt_num(rng, v):
    """v as a VALUES file may write it, read back exactly"""
    r = rng.random()
    if r < 0.6:
        return repr(v)
    if r < 0.9:
        return "%.17g" % v
    return "%.17e" % v


def net_values(rng, b):
    """({leaf: value}, targets or None): inputs U(-1, 1), weights
    Glorot-uniform, biases U(-0.1, 0.1); mse targets U(-1, 1), xent targets a
    distribution (sometimes one-hot) under the fold, else U(0, 1)"""
    Ls = b.layers
    lab = [L.label for L in Ls]
    vals = {}
    for l in range(len(Ls)):
        L = Ls[l]
        if l == 0 or L.is_input:
            for j in range(1, L.width + 1):
                vals["y[%s][%d]" % (lab[l], j)] = rng.uniform(-1, 1)
            continue
        for kind, p in L.inputs:
            if is_dense(kind):
                a = math.sqrt(6.0 / (Ls[p].width + L.width))
                for i in range(1, Ls[p].width + 1):
                    for j in range(1, L.width + 1):
                        wv = wref(lab, kind, p, i, j)
                        if wv not in vals:      # a shared weight: one value
                            vals[wv] = rng.uniform(-a, a)
        if L.bias:
            for j in range(1, L.width + 1):
                vals["b[%s][%d]" % (lab[l], j)] = rng.uniform(-0.1, 0.1)
    assert set(vals) == set(b.leaves)
    n = Ls[-1].width
    if b.loss_kind == "mse":
        ts = [rng.uniform(-1, 1) for _ in range(n)]
    elif b.loss_kind == "xent" and b.fold:
        if rng.random() < 0.25:
            ts = [0.0] * n
            ts[rng.randrange(n)] = 1.0
        else:
            u = [rng.uniform(0.01, 1) for _ in range(n)]
            ts = [x / sum(u) for x in u]
    elif b.loss_kind == "xent":
        ts = [rng.uniform(0, 1) for _ in range(n)]
    else:
        ts = None
    return vals, ts


def net_forward(b, vals):
    """{x and y: value} from the leaves' values"""
    Ls = b.layers
    lab = [L.label for L in Ls]
    v = dict(vals)
    for l in range(1, len(Ls)):
        L = Ls[l]
        if L.is_input:
            continue
        xs = []
        for j in range(1, L.width + 1):
            s = 0.0
            for kind, p in L.inputs:
                if is_dense(kind):
                    for i in range(1, Ls[p].width + 1):
                        s += v[wref(lab, kind, p, i, j)] * v["y[%s][%d]" % (lab[p], i)]
                else:
                    s += v["y[%s][%d]" % (lab[p], j)]
            if L.bias:
                s += v["b[%s][%d]" % (lab[l], j)]
            v["x[%s][%d]" % (lab[l], j)] = s
            xs.append(s)
        if L.act in PY_LAYER_FUNCS:
            ys = PY_LAYER_FUNCS[L.act](xs)
        else:
            ys = [0.0 if j + 1 in L.dead else PY_FUNCS[L.act](x) for j, x in enumerate(xs)]
        for j, y in enumerate(ys):
            v["y[%s][%d]" % (lab[l], j + 1)] = y
    return v


def check_eval_values(b, R, res, rng, blk):
    """eval --values FILE: the values of the file are the leaves' (and the
    targets of an mse or xent loss, which --seed's JSON does not show), the
    loss and every gradient are recomputed here; a file that misses a
    target, gives one to a sum, or (under the fold of a last softmax and
    xent) targets that do not sum to 1 is refused"""
    if b.model.size() > 200000 or (b.loss_kind not in ("mse", "xent") and rng.random() < 0.7):
        return
    path = R.path
    vals, ts = net_values(rng, b)
    given = dict(vals)
    Ls = b.layers
    last = Ls[-1]
    want_err = None
    r = rng.random()
    if ts is not None and r < 0.08:
        k = rng.randrange(len(ts))
        want_err, drop = "no value for t[%d]" % (k + 1), k
    else:
        drop = None
    if want_err is None and b.fold and r < 0.25:
        k = rng.randrange(len(ts))
        ts = list(ts)
        ts[k] += rng.choice([1e-6, -1e-5, 1e-3, 0.3, -0.2, 1.0])
        want_err = "the targets t[k] sum to"
    elif want_err is None and b.fold and r < 0.35:
        # within 1e-9 of 1: taken
        k = rng.randrange(len(ts))
        ts = list(ts)
        ts[k] += rng.choice([1e-12, -3e-12, 2e-11])
    elif want_err is None and ts is None and r < 0.06:
        want_err = "targets"
        ts_extra = rng.uniform(-1, 1)
    lines = ["%s = %s" % (v, fmt_num(rng, x)) for v, x in vals.items()]
    if ts is not None:
        lines += ["t[%d] = %s" % (k + 1, fmt_num(rng, t)) for k, t in enumerate(ts) if k != drop]
    elif want_err == "targets":
        lines.append("t[1] = %s" % fmt_num(rng, ts_extra))
    rng.shuffle(lines)
    lines = [l + (";" if rng.random() < 0.2 else "") + ("  # a value" if rng.random() < 0.05 else "")
             for l in lines]
    if rng.random() < 0.3:
        lines.insert(0, "# values for %s" % b.name[:40])
    vpath = path + ".values"
    with open(vpath, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    if want_err is None and b.loss_kind == "xent":
        # -t log y of a y <= 0 is not finite: refused
        fw = net_forward(b, vals)
        ys = [fw["y[%s][%d]" % (last.label, k)] for k in range(1, last.width + 1)]
        xs = [fw["x[%s][%d]" % (last.label, k)] for k in range(1, last.width + 1)]
        if any(0 < abs(y) < 1e-9 for y in ys) or any(abs(x) < 1e-9 for x in xs):
            want_err = "?"            # too close to call
        elif min(ys) <= 0:
            want_err = "not finite"
    checking = eval_cost(b) <= EVAL_CHECK_BUDGET / 4 and rng.random() < 0.5
    args = ["eval", path] + blk + ["--values", vpath, "--format", "json", "--of", b.of]
    if checking:
        args.append("--check")
    try:
        if want_err is not None and want_err != "?":
            rc, out, err = R.run(args, expect=(1,), tag="eval values")
            if rc == 1:
                res.check(out == "" and want_err in err, "eval values error",
                          "`%s`: stdout %s, stderr %s (expected an error: %s)"
                          % (R.show(args), short(out, 80), short(err), want_err))
            return
        rc, out, err = R.run(args, expect=((0, 3) if checking else (0,)) + ((1,) if want_err else ()),
                             tag="eval values")
        if rc == 1:
            res.check(out == "" and "not finite" in err, "eval values error",
                      "`%s`: stdout %s, stderr %s" % (R.show(args), short(out, 80), short(err)))
            return
        judge_eval(b, R, res, args, rc, out, err, checking, ts or [], given)
    finally:
        pass


def kink_distance(b, vals):
    best = float("inf")
    if b.kind == "net":
        for xr in b.kink_x:
            if xr in vals:
                best = min(best, abs(vals[xr]))
    else:
        for v, e in b.assigns.items():
            acc = [0.0, float("inf")]
            ex_kinks(e, vals, acc)
            best = min(best, acc[1])
    return best


def close(a, b, scale):
    return abs(a - b) <= 1e-9 * max(1.0, scale)


def recompute(b, vals, targets=None):
    """every value from its operands' values (and the loss from the targets
    when they are known); None or what differs"""
    if b.kind == "graph":
        for v, e in b.assigns.items():
            if e.unk:
                continue
            acc = [0.0, float("inf")]
            try:
                mine = ex_eval(e, vals, acc)
            except (ValueError, OverflowError, ZeroDivisionError, KeyError) as ex:
                return "%s = %s: cannot recompute (%s)" % (v, e.text[:100], ex)
            if v not in vals or not close(mine, vals[v], acc[0]):
                return "%s = %s is %r, recomputed %r" % (v, e.text[:150], vals.get(v), mine)
        return None
    Ls = b.layers
    lab = [L.label for L in Ls]
    for l in range(1, len(Ls)):
        L = Ls[l]
        if L.is_input:
            continue
        for j in range(1, L.width + 1):
            s = 0.0
            mag = 0.0
            try:
                for kind, p in L.inputs:
                    if is_dense(kind):
                        for i in range(1, Ls[p].width + 1):
                            t = vals[wref(lab, kind, p, i, j)] * vals["y[%s][%d]" % (lab[p], i)]
                            s += t
                            mag += abs(t)
                    else:
                        t = vals["y[%s][%d]" % (lab[p], j)]
                        s += t
                        mag += abs(t)
                if L.bias:
                    t = vals["b[%s][%d]" % (lab[l], j)]
                    s += t
                    mag += abs(t)
                xr, yr = "x[%s][%d]" % (lab[l], j), "y[%s][%d]" % (lab[l], j)
                xv, yv = vals[xr], vals[yr]
            except KeyError as e:
                return "no value for %s" % e
            if not close(s, xv, mag):
                return "%s is %r, the sum of its inputs %r" % (xr, xv, s)
            if L.act in PY_LAYER_FUNCS:
                continue
            if j in L.dead:
                if yv != 0:
                    return "%s is dead but %r" % (yr, yv)
                continue
            if L.act in PY_FUNCS:
                want = PY_FUNCS[L.act](xv)
                if not close(want, yv, abs(xv)):
                    return "%s = %s(%r) is %r, expected %r" % (yr, L.act, xv, yv, want)
        if L.act in PY_LAYER_FUNCS:
            try:
                xs = [vals["x[%s][%d]" % (lab[l], j)] for j in range(1, L.width + 1)]
                ys = [vals["y[%s][%d]" % (lab[l], j)] for j in range(1, L.width + 1)]
            except KeyError as e:
                return "no value for %s" % e
            want = PY_LAYER_FUNCS[L.act](xs)
            for j in range(L.width):
                if not close(want[j], ys[j], 1.0):
                    return "y[%s][%d] = %s(x[%s]...)[%d] is %r, expected %r (x: %s)" % (
                        lab[l], j + 1, L.act, lab[l], j + 1, ys[j], want[j], short(repr(xs), 120))
    if b.loss in vals and (b.loss_kind in (None, "sum") or targets is not None):
        last = len(Ls) - 1
        ys = [vals["y[%s][%d]" % (lab[last], k)] for k in range(1, Ls[last].width + 1)]
        want, mag = loss_value(b.loss_kind, ys, targets)
        if not close(want, vals[b.loss], mag):
            return "the loss %s = %s is %r, recomputed from the last layer %r" % (
                b.loss[:40], b.loss_kind or "(abstract: a sum)", vals[b.loss], want)
    return None


def loss_value(kind, ys, ts):
    """(the loss of the last layer's ys, the scale of its rounding)"""
    if kind in (None, "sum"):
        return sum(ys), sum(map(abs, ys))
    if kind == "mse":
        parts = [0.5 * (y - t) ** 2 for y, t in zip(ys, ts)]
        return sum(parts), sum(parts)
    parts = [-t * math.log(y) for y, t in zip(ys, ts)]
    return sum(parts), sum(map(abs, parts))


def loss_dvalue(kind, y, t):
    """d loss / d y^k (numerically an abstract loss is a sum)"""
    if kind in (None, "sum"):
        return 1.0
    if kind == "mse":
        return y - t
    return -t / y


def net_reverse(b, vals, targets):
    """reverse mode over the model from the binary's values: {leaf:
    (gradient, the scale of its rounding: the sum of |adjoint x local|)}"""
    Ls = b.layers
    lab = [L.label for L in Ls]
    act_of = {}
    dead = set()
    for l in range(1, len(Ls)):
        L = Ls[l]
        for j in range(1, L.width + 1):
            act_of["y[%s][%d]" % (lab[l], j)] = (L, l, j)
            if j in L.dead:
                dead.add("y[%s][%d]" % (lab[l], j))
    m = b.model
    adj = {b.of: 1.0}
    mag = {b.of: 1.0}
    idx = {v: i for i, v in enumerate(m.order)}
    for v in reversed(m.order[:idx[b.of] + 1]):
        a = adj.get(v)
        if a is None:
            continue
        am = mag[v]
        ch = m.children[v]
        for q, (c, kind) in enumerate(ch):
            if kind == "loss":
                k = int(c.rsplit("[", 1)[1][:-1])
                d = loss_dvalue(b.loss_kind, vals[c], targets[k - 1] if targets else None)
            elif kind == "act":
                L, l, k = act_of[v]
                if L.act in PY_LAYER_FUNCS:
                    j = int(c.rsplit("[", 1)[1][:-1])
                    yk = vals[v]
                    d = yk * ((1.0 if j == k else 0.0) - vals["y[%s][%d]" % (lab[l], j)])
                elif v in dead:
                    d = 0.0
                else:
                    d = py_dact(L.act, vals[c])
            elif kind == "jw":
                d = vals[ch[q + 1][0]]
            elif kind == "jy":
                d = vals[ch[q - 1][0]]
            else:
                d = 1.0
            adj[c] = adj.get(c, 0.0) + a * d
            mag[c] = mag.get(c, 0.0) + am * abs(d)
    return {v: (adj.get(v, 0.0), mag.get(v, 0.0)) for v in b.leaves}


def check_fmt(prog, R, res, rng):
    path = R.path
    use_stdin = rng.random() < 0.3
    args = ["fmt", "-" if use_stdin else path]
    rc, f1, _ = R.run(args, stdin=prog.text if use_stdin else None, tag="fmt")
    if rc != 0:
        return
    p2 = path + ".fmt.net"
    with open(p2, "w", encoding="utf-8") as f:
        f.write(f1)
    rc, f2, _ = R.run(["fmt", p2], tag="fmt")
    if rc == 0:
        res.check(f1 == f2, "fmt fixed point", "fmt of fmt's output differs (`%s`, then fmt again)"
                  % R.show(args))
    rc, out, _ = R.run(["fmt", "--check", p2], tag="fmt --check")
    if rc == 0:
        res.check(out == "", "fmt --check", "`fmt --check` of fmt's output wrote %s" % short(out, 80))
    formatted = prog.text == f1
    rc, out, err = R.run(["fmt", "--check", path], expect=(0,) if formatted else (1,), tag="fmt --check input")
    if rc == 1:
        res.check(out == "" and err != "", "fmt --check input", "stdout %s, stderr %s"
                  % (short(out, 80), short(err, 80)))
    # `loss L = KIND;` keeps its kind (its derivative is concrete from stage
    # local on), `loss L;` stays abstract
    for b in prog.blocks:
        if b.kind == "net":
            want = "loss %s%s;" % (b.loss, "" if b.loss_kind is None else " = " + b.loss_kind)
            res.check(("\n    %s\n" % want) in f1, "fmt loss", "`%s` does not write `%s` on a line of its own"
                      % (R.show(args), want))
    # an indexed graph: fmt's canonical layout of its statements, the
    # loops' bodies four spaces deeper, `for t in A..B {` and `}` on lines of
    # their own, index expressions with a space around each binary operator
    # and parentheses only where the tree needs them
    for b in prog.blocks:
        if not b.heads:
            continue
        fl = f1.split("\n")
        try:
            st = fl.index("graph %s {" % b.name)
            en = fl.index("}", st)
        except ValueError:
            res.check(False, "fmt loops", "`%s` has no block `graph %s {` ... `}`" % (R.show(args), b.name[:40]))
            continue
        got = [l for l in fl[st + 1:en] if l.strip()]
        bad = None
        if len(got) != len(b.heads):
            bad = "%d lines, expected %d" % (len(got), len(b.heads))
        else:
            for l, (d, h) in zip(got, b.heads):
                want = "    " * (d + 1) + h
                exact = not h.endswith(" = ")
                if not (l == want if exact else l.startswith(want)):
                    bad = "line %r, expected %r%s" % (l[:160], want[:160], "" if exact else "...")
                    break
        res.check(bad is None, "fmt loops", "`%s`, block %s: %s" % (R.show(args), b.name[:40], bad))
    # the formatted program means the same: the same path counts
    want = ["%s wrt %s: %d" % (b.of, b.wrt, b.model.count(b.of, b.wrt)) for b in prog.blocks]
    rc, out, _ = R.run(["count", p2], tag="count formatted")
    if rc == 0:
        res.check(out.strip().split("\n") == want, "fmt meaning",
                  "`count` of fmt's output printed %s, expected %s" % (short(out, 150), short("\n".join(want), 150)))


def check_errors(prog, R, res, rng):
    path = R.path
    b = rng.choice(prog.blocks)
    blk = ["--block", b.name] if b is not prog.blocks[0] else []
    cmds = ["count", "derive", "paths"]
    for opt, ref, what in rng.sample(b.bad_refs, min(3, len(b.bad_refs))):
        cmd = rng.choice(cmds)
        args = [cmd, path] + blk + [opt, ref]
        if opt == "--of" or cmd == "paths":
            args += ["--wrt", b.wrt] if opt == "--of" else []
        rc, out, err = R.run(args, expect=(2,), tag="bad ref")
        if rc == 2:
            res.check(out == "" and err.startswith("pathgrad: "), "bad ref",
                      "`%s` (%s): stdout %s, stderr %s" % (R.show(args), what, short(out, 80), short(err, 120)))
    u = rng.choice([["derive", path, "--stage", "bogus"], ["count", path, "--frobnicate"],
                    ["derive", path, "--format", "yaml"], ["derive", path, "--max-terms", "-3"],
                    ["derive", path, "--block", "no_such_block", "--wrt", b.wrt],
                    ["eval", path], ["eval", path, "--seed", "x1"], ["derive"]])
    rc, out, _ = R.run(u, expect=(2,), tag="usage")
    if rc == 2:
        res.check(out == "", "usage", "`%s` wrote to stdout: %s" % (R.show(u), short(out, 80)))
    if rng.random() < 0.6:
        mut = mutate(prog, b, rng)
        if mut:
            text, what, syntax = mut
            p3 = path + ".bad.net"
            with open(p3, "w", encoding="utf-8") as f:
                f.write(text)
            # fmt only parses: it sees syntax errors, not a wrong graph
            args = [rng.choice(["check", "count", "fmt"] if syntax else ["check", "count"]), p3]
            rc, out, err = R.run(args, expect=(1,), tag="bad input")
            if rc == 1:
                loc = re.match(r"^.*\.bad\.net:\d+:\d+: error: ", err) is not None
                if what == "softmax in a graph":
                    loc = loc and "whole layer" in err
                res.check(out == "" and loc, "bad input",
                          "`%s` (%s): stdout %s, stderr %s" % (R.show(args).replace(FILE_MARK + ".bad.net",
                                                                                     "BADFILE"), what,
                                                               short(out, 80), short(err, 160)))
            elif rc is None:
                res.lines.append("    (the mutated program, %s, was:\n%s\n    )" % (what, text[:3000]))


def mutate(prog, b, rng):
    """(a program with one error, what the error is) or None"""
    lines = prog.text.split("\n")
    # where the block b ends
    start = next(i for i, l in enumerate(lines) if re.match(r"\s*(network|graph)\s+%s\s*\{" % re.escape(b.name), l))
    depth = 0
    end = None
    for i in range(start, len(lines)):
        depth += lines[i].count("{") - lines[i].count("}")
        if depth == 0:
            end = i
            break
    cands = []
    if b.kind == "net":
        lab = [L.label for L in b.layers]
        cands += [
            ("layer %s : 1;" % lab[-1], "a duplicate layer"),
            ("layer zq_new : 2 = dense(zz_nowhere);", "an unknown layer"),
            ("layer 1000000000001 : 1;", "an integer beyond 10^12"),
            ("layer %s : 1;" % ident(rng, 201), "a label of 201 characters"),
            ("loss skip;", "a keyword as a name"),
            ("layer zq_new : 1 = skip(%s);" % lab[0] if b.layers[0].width != 1 else
             "layer zq_new : 2 = skip(%s);" % lab[0], "a skip between unequal widths"),
            ("derive %s wrt y[%s][%d];" % (b.loss, lab[0], b.layers[0].width + 1), "an index out of range"),
            ("layer zq_new : 0;", "a width of 0"),
            ("layer zq_\u00e9 : 1;", "a byte that is not ASCII"),
        ]
        consumed = [p for L in b.layers for k, p in L.inputs if k == "dense"]
        if consumed:
            cands.append(("layer zq_new : 1 = dense(%s);" % lab[rng.choice(consumed)],
                          "weights feeding two layers"))
        nonrelu = [l for l in range(1, len(b.layers)) if b.layers[l].act != "relu"]
        if nonrelu:
            cands.append(("dead y[%s][1];" % lab[rng.choice(nonrelu)], "dead on a layer that is not relu"))
        sm = [l for l in range(1, len(b.layers)) if b.layers[l].act in LAYER_ACTS]
        if sm:
            cands.append(("dead %s[%s][1];" % (rng.choice("xy"), lab[rng.choice(sm)]), "dead on a softmax layer"))
        if "xent" in prog.feats["losses"]:
            cands.append(("loss %s = xentropy;" % b.loss, "an unknown loss kind"))
        if prog.feats.get("families"):
            cands += [
                ("layer zq_in : 2 input bias;", "an input layer with a bias"),
                ("layer zq_in : 2 input = dense(%s);" % lab[0], "an input layer with inputs"),
                ("layer zq_new : 1 = dense(%s) as x;" % lab[0], "a family named x"),
                ("layer zq_new : 1 = dense(%s) shared %s;" % (lab[0], b.loss), "a family named as the loss"),
                ("layer zq_new : 1 = dense(%s) as Zq + dense(%s) shared Zq;" % (lab[0], lab[-1]),
                 "a family both shared and own"),
                ("layer zq_new : 1 = dense(%s) as Zq + dense(%s) shared Zq2;" % (lab[0], lab[0]),
                 "the same layer twice in one layer"),
                ("layer zq_a : 1 = dense(%s) shared Zq; layer zq_b : 2 = dense(%s) shared Zq;" % (lab[0], lab[0]),
                 "a shared family of two shapes"),
                ("layer zq_a : 1 = dense(%s) as Zq; layer zq_b : 2 = dense(%s) as Zq;" % (lab[0], lab[0]),
                 "dense(L) as NAME twice"),
            ]
            ins = [l for l, L in enumerate(b.layers) if L.is_input]
            if ins:
                cands.append(("dead y[%s][1];" % lab[rng.choice(ins)], "dead on an input layer"))
                cands.append(("derive %s wrt x[%s][1];" % (b.loss, lab[rng.choice(ins)]), "x of an input layer"))
            for fn, (rows, cols, _) in b.shared.items():
                cands.append(("derive %s wrt %s[%d][1];" % (b.loss, fn, rows + 1), "a shared weight out of range"))
            for kind, p in b.owns:
                cands.append(("derive %s wrt %s[%s][1][1][1];" % (b.loss, kind[3:], lab[p]),
                              "an own weight with 4 indices"))
    else:
        names = list(b.assigns)
        cands += [
            ("zq_new = nope_undefined + 1;", "an undefined name"),
            ("zq_a = zq_b + 1; zq_b = zq_a * 2;", "a cycle"),
            ("%s = %s;" % (names[0], b.leaves[0]), "a name defined twice"),
            ("input %s;" % b.leaves[0], "an input declared twice"),
            ("dense = %s;" % b.leaves[0], "a keyword as a name"),
            ("%s = 1;" % ident(rng, 201), "a name of 201 characters"),
            ("zq_new = exp(%s, %s);" % (b.leaves[0], b.leaves[0]), "exp with two arguments"),
            ("zq_new = %s ^ 1.5;" % b.leaves[0], "a power that is not an integer"),
            ("zq_new = (%s;" % b.leaves[0], "an unclosed parenthesis"),
        ]
        if "softmax" in prog.feats["acts"]:
            cands.append(("zq_new = softmax(%s);" % b.leaves[0], "softmax in a graph"))
        if prog.feats.get("loops"):
            leaf = b.leaves[0]
            cands += [
                ("for zq_t in 1..3 { zq_h[zq_t] = zq_h[zq_t - 1] * %s; }" % leaf, "an undefined h[-1]: zq_h[0]"),
                ("for zq_t in 1..2 { zq_h[zq_t] = zq_h[zq_t + 1] * %s; }" % leaf, "an undefined h[T+1]: zq_h[3]"),
                ("for zq_t in 1..2 { zq_h[zq_t] = %s; } zq_c = zq_t * %s;" % (leaf, leaf),
                 "a loop variable used outside its loop"),
                ("for zq_t in 1..2 { for zq_t in 1..2 { zq_h[zq_t] = %s; } }" % leaf, "a duplicate loop variable"),
                ("for zq_t in 1..2 { input zq_q; }", "input inside a loop"),
                ("for zq_t in 1..2 { derive %s wrt %s; }" % (b.of, b.wrt), "derive inside a loop"),
                ("for zq_t in 1..2 { zq_t = %s; }" % leaf, "a loop variable defined"),
                ("for zq_t in 1..2 { zq_h[zq_t] = sum(zq_t in 1..2, %s); }" % leaf, "a sum over a loop variable"),
                ("for zq_t in 1..2 { zq_h[zq_t] = %s; } zq_h[2] = %s;" % (leaf, leaf),
                 "an element defined in a loop and outside it"),
                ("zq_new = sum(zq_j in 1..3, zq_u[zq_j]);", "a sum of an undefined family"),
                ("for zq_t in 1..2 { zq_h[zq_t / 2] = %s; }" % leaf, "/ in an index"),
                ("for zq_t in 1..2 { zq_h[zq_t] = %s; } zq_c = zq_h[3];" % leaf, "an index beyond a loop's range"),
            ]
            for base, rs in b.ix_arrays.items():
                beyond = "%s%s[%d]" % (base, "".join("[%d]" % lo for lo, _ in rs[:-1]), rs[-1][1] + 1)
                if beyond not in b.model.children:
                    cands.append(("zq_new = %s;" % beyond, "an index out of a declared range"))
                if len(rs) > 1:
                    cands.append(("zq_new = %s[%d];" % (base, rs[0][0]), "too few indices"))
    stmt, what = rng.choice(cands)
    lines.insert(end, "    " + stmt)
    syntax = what in ("an integer beyond 10^12", "a label of 201 characters", "a keyword as a name",
                      "a byte that is not ASCII", "a name of 201 characters", "a power that is not an integer",
                      "an unclosed parenthesis", "an unknown loss kind")
    return "\n".join(lines), what, syntax


# ====================================================================== features

def detect(binary, tmpdir, timeout):
    def works(text, args):
        p = os.path.join(tmpdir, "probe.net")
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            r = subprocess.run([binary] + [args[0], p] + args[1:], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout)
            return r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False
    acts = [a for a in BASE_ACTS + NEW_ACTS + LAYER_ACTS
            if works("network t {\n    layer a : 2;\n    layer b : 2 %s;\n    loss L;\n}\n" % a, ["check"])]
    losses = [k for k in BASE_LOSSES + NEW_LOSSES
              if works("network t {\n    layer a : 2;\n    layer b : 2;\n    loss L = %s;\n}\n" % k, ["check"])]
    f1 = [f for f in BASE_FUNCS + NEW_FUNCS1 + NEW_ACTS
          if works("graph g {\n    input a, b;\n    c = %s(a);\n}\n" % f, ["eval", "--seed", "1"])]
    f2 = [f for f in NEW_FUNCS2
          if works("graph g {\n    input a, b;\n    c = %s(a, b);\n}\n" % f, ["eval", "--seed", "1"])]
    families = works("network t {\n    layer a : 2;\n    layer i : 1 input;\n    layer b : 2 = dense(a) as P + "
                     "dense(i) shared W;\n    loss L;\n}\n", ["check"])
    loops = works("graph g {\n    input a, x[1..3];\n    for t in 1..3 {\n        h[t] = a * x[t];\n    }\n"
                  "    c = sum(j in 1..3, h[j]) + prod(j in 2..3, x[j]);\n}\n", ["eval", "--seed", "1"])
    return {"acts": acts, "funcs1": f1, "funcs2": f2, "losses": losses, "families": families, "loops": loops}


# ====================================================================== main

def main():
    ap = argparse.ArgumentParser(description="a generative differential fuzzer for pathgrad")
    ap.add_argument("--bin", default=os.environ.get("PATHGRAD", "./pathgrad"))
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--count", type=int, default=None)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--keep", default=DEFAULT_KEEP)
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 2))
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--lenient-fd", action="store_true",
                    help="do not count an eval --check failure on finite differences alone when their "
                         "round-off explains it (print a note instead)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    STRICT_FD[0] = not a.lenient_fd
    if a.seconds is None and a.count is None:
        a.seconds = 30.0
    binary = os.path.abspath(a.bin) if os.sep in a.bin else a.bin
    if os.sep in binary and not os.access(binary, os.X_OK):
        print("difffuzz: %s is not an executable" % binary)
        print("difffuzz: 0 passed, 1 failed")
        return 1
    t0 = time.time()
    passed = failed = 0
    nprog = 0
    fd_noise = 0
    hits = collections.defaultdict(list)
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="difffuzz-") as tmpdir:
        feats = detect(binary, tmpdir, a.timeout)
        if not feats["acts"] or "exp" not in feats["funcs1"]:
            print("difffuzz: %s does not run (no activation or function works)" % binary)
            print("difffuzz: 0 passed, 1 failed")
            return 1
        # every row of the binary's table of operations (as --help lists
        # it) must have a model here, or the fuzzer never exercises it
        try:
            hl = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                timeout=a.timeout, text=True).stdout
        except (OSError, subprocess.TimeoutExpired):
            hl = ""
        listed = []
        for line in hl.splitlines():
            if line.startswith("activations:"):
                listed += line.split(":", 1)[1].split()
            elif line.startswith("functions:"):
                listed += line.split(":", 1)[1].split("(")[0].split()
            elif line.startswith("losses:"):
                listed += line.split(":", 1)[1].split()
        known = set(BASE_ACTS + NEW_ACTS + BASE_FUNCS + NEW_FUNCS1 + NEW_FUNCS2 + LAYER_ACTS
                    + BASE_LOSSES + NEW_LOSSES)
        for name in listed:
            if name in known:
                passed += 1
            else:
                failed += 1
                print("FAIL difffuzz: --help lists '%s', which this fuzzer has no model of: "
                      "add it to tests/gen/difffuzz.py (PY_FUNCS and the lists)" % name)

        def one(seed):
            try:
                prog = make_program(seed, feats)
            except Exception as e:  # a bug here: count it
                r = Results(seed, a.verbose)
                r.check(False, "internal", "generating the program: %r" % e)
                return r, None
            try:
                r = check_program(prog, binary, tmpdir, a.keep, a.timeout, a.verbose, feats)
            except Exception as e:
                import traceback
                r = Results(seed, a.verbose)
                r.check(False, "internal", "checking the program: %s" % traceback.format_exc()[-800:])
            finally:
                for ext in ("", ".fmt.net", ".bad.net", ".values"):
                    try:
                        os.unlink(os.path.join(tmpdir, "seed-%d.net%s" % (seed, ext)))
                    except OSError:
                        pass
            return r, prog

        import concurrent.futures
        pending = collections.deque()
        seed = a.seed
        deadline = t0 + a.seconds if a.seconds is not None else None
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            while True:
                more = (a.count is None or seed < a.seed + a.count) and \
                       (deadline is None or time.time() < deadline)
                if more and len(pending) < 2 * max(1, a.jobs):
                    pending.append((seed, ex.submit(one, seed)))
                    seed += 1
                    continue
                if not pending:
                    break
                s, fu = pending.popleft()
                r, prog = fu.result()
                nprog += 1
                if a.verbose and prog is not None:
                    print("seed=%d %s: %s" % (s, prog.family, "; ".join(b.desc for b in prog.blocks)))
                    for l in r.log:
                        print(l)
                for line in r.notes + r.lines:
                    print(line)
                fd_noise += r.fd_noise
                for t in set(r.tags):
                    hits[t].append(s)
                sys.stdout.flush()
                passed += r.passed
                failed += r.failed
    dt = time.time() - t0
    if hits:
        print("difffuzz: failed checks by kind: " + "; ".join(
            "%s: seeds %s" % (t, " ".join(map(str, ss[:12])) + (" ..." if len(ss) > 12 else ""))
            for t, ss in sorted(hits.items())))
    newa = [x for x in feats["acts"] if x in NEW_ACTS]
    newf = [x for x in feats["funcs1"] + feats["funcs2"] if x not in BASE_FUNCS]
    print("difffuzz: %d programs in %.1f s, seeds %d..%d; activations: %s; new graph functions: %s; "
          "losses: %s; input layers, as, shared: %s; loops, sum, prod: %s%s"
          % (nprog, dt, a.seed, a.seed + nprog - 1, " ".join(feats["acts"]), " ".join(newf) or "none",
             " ".join(feats["losses"]) or "none", "yes" if feats.get("families") else "no",
             "yes" if feats.get("loops") else "no",
             "; %d eval --check failures on finite differences alone, within round-off, not counted"
             % fd_noise if fd_noise else ""))
    print("difffuzz: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
