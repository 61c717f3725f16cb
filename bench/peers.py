#!/usr/bin/env python3
"""The peers pathgrad is measured against, on the same graph it derives.

    peers.py TOOL WIDTH DEPTH     TOOL: networkx | igraph | sympy

builds the computational graph of a dense ReLU network of DEPTH layers after
the input, WIDTH neurons each (the same edges pathgrad builds: Loss -> y,
y -> x, x -> w and x -> y at each junction), then
  networkx: counts nx.all_simple_paths(Loss, w[0][1][1])
  igraph:   counts Graph.get_all_simple_paths(Loss, to=w[0][1][1])
  sympy:    differentiates Loss = sum_k c_k y_n^k (live ReLUs: linear) with
            respect to w[0][1][1], expands the result and prints its LaTeX
and prints `PATHS SECONDS`: the number of paths (or terms) and the time the
tool's own work took, set-up excluded.  A missing package prints `missing`.
"""
import sys
import time


def edges(width, depth):
    out = []
    for k in range(1, width + 1):
        out.append(("Loss", f"y{depth}_{k}"))
    for l in range(1, depth + 1):
        for j in range(1, width + 1):
            out.append((f"y{l}_{j}", f"x{l}_{j}"))
            for i in range(1, width + 1):
                out.append((f"x{l}_{j}", f"w{l - 1}_{i}_{j}"))
                out.append((f"x{l}_{j}", f"y{l - 1}_{i}"))
    return out


def main():
    tool, width, depth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    target = "w0_1_1"
    try:
        if tool == "networkx":
            import networkx as nx
            g = nx.DiGraph(edges(width, depth))
            t = time.perf_counter()
            n = sum(1 for _ in nx.all_simple_paths(g, "Loss", target))
        elif tool == "igraph":
            import igraph
            g = igraph.Graph.TupleList(edges(width, depth), directed=True)
            t = time.perf_counter()
            n = len(g.get_all_simple_paths("Loss", to=target))
        elif tool == "sympy":
            import sympy
            ys = [sympy.Symbol(f"y0_{i}") for i in range(1, width + 1)]
            for l in range(1, depth + 1):
                ws = [[sympy.Symbol(f"w{l - 1}_{i}_{j}") for j in range(1, width + 1)] for i in range(1, width + 1)]
                ys = [sum(ws[i][j] * ys[i] for i in range(width)) for j in range(width)]
            c = [sympy.Symbol(f"c{k}") for k in range(1, width + 1)]
            loss = sum(ck * yk for ck, yk in zip(c, ys))
            t = time.perf_counter()
            d = sympy.expand(sympy.diff(loss, sympy.Symbol(target)))
            tex = sympy.latex(d)
            n = len(d.args) if d.is_Add else 1
            assert tex
        else:
            raise SystemExit(f"unknown tool {tool}")
    except ImportError:
        print("missing")
        return
    print(n, f"{time.perf_counter() - t:.3f}")


if __name__ == "__main__":
    main()
