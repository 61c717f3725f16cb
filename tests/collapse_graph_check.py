#!/usr/bin/env python3
"""--collapse on unrolled graphs, expanded back.

For each derivation of a few recurrences (Pascanu's linear one, a tanh RNN
under a loss, a second-order recurrence, the LSTM and conv1d samples), the
text of `derive --stage chain --collapse` is expanded here: every family
`P · Σ_{t=lo}^{hi} (Π_{k=t+1}^{T} F(k)) · S(t)` becomes, for each t, the
factors of P, then F(T), F(T-1), ..., F(t+1), then S(t), with the relative
names (h_{k-1}, x_{t}) evaluated.  The multiset of those products must be
exactly the multiset of the expanded output's terms, and the number of
terms must be the count.  Stage chain writes every factor as a partial
derivative d a / d b, so this checks which paths each family holds,
independently of how the local derivatives print.

Usage: python3 tests/collapse_graph_check.py ./pathgrad
Prints one line per failure and "collapse-graph: N passed, N failed".
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

SUB = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9",
       "₊": "+", "₋": "-", "₌": "=", "ₐ": "a", "ₑ": "e", "ₕ": "h", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₗ": "l",
       "ₘ": "m", "ₙ": "n", "ₒ": "o", "ₚ": "p", "ᵣ": "r", "ₛ": "s", "ₜ": "t", "ᵤ": "u", "ᵥ": "v", "ₓ": "x"}
SUP = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}

PROGRAMS = {
    "pascanu": """graph pascanu {
    input w, u, x[1..6], h[0];
    for t in 1..6 { h[t] = w*h[t-1] + u*x[t]; }
    derive h[6] wrt w;
    derive h[6] wrt u;
    derive h[6] wrt h[0];
    derive h[6] wrt x[3];
}""",
    "rnn": """graph rnn {
    input w, u, b, x[1..5], h[0], y;
    for t in 1..5 { h[t] = tanh(w*h[t-1] + u*x[t] + b); }
    L = (h[5] - y)^2;
    derive L wrt w;
    derive L wrt b;
    derive L wrt x[2];
}""",
    "second": """graph second {
    input w, v, x[2..7], h[0], h[1];
    for t in 2..7 { h[t] = w*h[t-1] + v*h[t-2] + x[t]; }
    derive h[7] wrt w;
    derive h[7] wrt v;
    derive h[7] wrt h[0];
}""",
    "twostate": """graph twostate {
    input a, c, s[0], r[0];
    for t in 1..4 {
        s[t] = sigmoid(a*s[t-1] + r[t-1]);
        r[t] = s[t] * c + r[t-1];
    }
    derive r[4] wrt a;
    derive r[4] wrt c;
}""",
}


def to_ascii(s):
    """a name in text form with Unicode subscripts, h_k-1 style -> h[k-1]"""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch in SUB and out and (out[-1][-1].isalnum() or out[-1] in "]"):
            j = i
            while j < len(s) and s[j] in SUB:
                j += 1
            out.append("[" + "".join(SUB[x] for x in s[i:j]) + "]")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def evaluate(atom, env):
    """h[k-1] with k = 5 -> h[4]"""
    def repl(m):
        e = m.group(1)
        for v, val in env.items():
            e = re.sub(r"\b%s\b" % v, str(val), e)
        if re.fullmatch(r"[-+0-9 ]+", e):
            return "[%d]" % eval(e)
        return "[%s]" % e
    return re.sub(r"\[([^\]]*)\]", repl, atom)


def terms_of(text):
    """the terms of a text sum: the part after ' = ', split at line starts"""
    body = text.split(" = ", 1)[1]
    lines = body.split("\n")
    terms = [lines[0]]
    for ln in lines[1:]:
        if not ln.strip():
            continue
        m = re.match(r"\s*([+−]) (.*)", ln)
        if not m:
            terms[-1] += ln
            continue
        terms.append(("−" if m.group(1) == "−" else "") + m.group(2))
    return [t.strip() for t in terms if t.strip()]


def atoms(term):
    return tuple(to_ascii(a.strip()) for a in term.split(" · ") if a.strip())


FAM = re.compile(r"^(?P<pre>.*?)Σ(?P<var>[ₐ-ₜᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ]+)₌(?P<lo>[₀-₉₋]+)(?P<hi>[⁰-⁹]+) "
                 r"\(∏(?P<kv>[ₐ-ₜᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ]+)₌[^⁰-⁹]*?(?P<T>[⁰-⁹]+) (?P<F>[^()]*)\)"
                 r"(?: · (?P<post>.*))?$")


def expand_family(term):
    m = FAM.match(term)
    if not m:
        return [atoms(term)]
    var = "".join(SUB[x] for x in m.group("var"))
    kv = "".join(SUB[x] for x in m.group("kv"))
    lo = int("".join(SUB[x] for x in m.group("lo")))
    hi = int("".join(SUP[x] for x in m.group("hi")))
    T = int("".join(SUP[x] for x in m.group("T")))
    pre = atoms(m.group("pre").rstrip(" ·")) if m.group("pre").strip(" ·") else ()
    F = to_ascii(m.group("F").strip())
    post = atoms(m.group("post")) if m.group("post") else ()
    out = []
    for t in range(lo, hi + 1):
        run = tuple(evaluate(F, {kv: k}) for k in range(T, t, -1))
        out.append(pre + run + tuple(evaluate(a, {var: t}) for a in post))
    return out


def main():
    pg = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
    ok = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, src in PROGRAMS.items():
            p = os.path.join(tmp, name + ".net")
            with open(p, "w", encoding="utf-8") as f:
                f.write(src + "\n")
            files.append(p)
        for s in ("samples/lstm.net", "samples/conv1d.net"):
            if os.path.exists(s):
                files.append(s)
        for path in files:
            r = subprocess.run([pg, "count", path], capture_output=True, text=True)
            pairs = re.findall(r"^(\S+) wrt (\S+): (\d+)$", r.stdout, re.M)
            if r.returncode != 0 or not pairs:
                print("FAIL collapse-graph: count %s: %s" % (path, r.stderr.strip()[:200]))
                bad += 1
                continue
            for of, wrt, n in pairs:
                base = [pg, "derive", path, "--of", of, "--wrt", wrt, "--stage", "chain", "--format", "text",
                        "--max-terms", "0"]
                e = subprocess.run(base, capture_output=True, text=True)
                c = subprocess.run(base + ["--collapse"], capture_output=True, text=True)
                if e.returncode or c.returncode:
                    print("FAIL collapse-graph: %s %s wrt %s: exit %d/%d %s" % (path, of, wrt, e.returncode,
                                                                             c.returncode, c.stderr[:200]))
                    bad += 1
                    continue
                want = collections.Counter(atoms(t) for t in terms_of(e.stdout))
                got = collections.Counter()
                for t in terms_of(c.stdout):
                    for p in expand_family(t):
                        got[p] += 1
                fams = sum(1 for t in terms_of(c.stdout) if "Σ" in t)
                if got != want or sum(got.values()) != int(n):
                    print("FAIL collapse-graph: %s %s wrt %s: expanded back %d terms, the sum has %d, count %s; "
                          "only in the collapsed: %s; only in the sum: %s"
                          % (os.path.basename(path), of, wrt, sum(got.values()), sum(want.values()), n,
                             list((got - want).keys())[:2], list((want - got).keys())[:2]))
                    bad += 1
                else:
                    ok += 1
                # a recurrence's derivative with respect to a shared weight
                # has at least one family (a sum over t)
                if wrt in ("w", "u", "b", "a", "c", "v") and "Σ" not in c.stdout:
                    print("FAIL collapse-graph: %s %s wrt %s: no sum over t in %r"
                          % (os.path.basename(path), of, wrt, c.stdout[:200]))
                    bad += 1
                elif wrt in ("w", "u", "b", "a", "c", "v"):
                    ok += 1
                    del fams
    print("collapse-graph: %d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
