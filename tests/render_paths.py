#!/usr/bin/env python3
"""The highlighted edges of a drawing are exactly the edges of the paths
that `derive --format json` lists (issue: draw it).

For each case, derive's JSON paths are turned into the drawn edges they
must light up -- in the graph view a junction edge x -> y (or x -> w) is
drawn y -> J:w -> x, an activation y -> x as x -> y, a shortcut x -> y
through two waypoints; in the network view a weight's edge joins two
neurons -- and compared with the edges that the SVG marks with class
`path` (their <title> is "tail->head").  With --term K only the K-th
path may be lit, and every lit edge must carry the class termK.
Usage: python3 tests/render_paths.py PATHGRAD   (from the repository root)
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
REF = re.compile(r"^([a-z])\[([^\]]+)\]\[(\d+)\](?:\[(\d+)\])?$")


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"pathgrad {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


def lit_edges(svg):
    """(tail, head) -> set of classes, for every edge of class path"""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(SVG + "g"):
        cls = g.get("class", "").split()
        if "edge" not in cls or "path" not in cls:
            continue
        title = g.find(SVG + "title").text
        tail, head = title.split("->")
        out[(tail, head)] = set(cls)
    return out


def all_edges(svg):
    """every drawn edge (tail, head), lit or not"""
    root = ET.fromstring(svg)
    return {tuple(g.find(SVG + "title").text.split("->")) for g in root.iter(SVG + "g")
            if "edge" in g.get("class", "").split()}


def drawn(path, view, junctions):
    """the drawn edges of one path (a list of references, OF first)"""
    edges = []
    for a, b in zip(path, path[1:]):
        ma, mb = REF.match(a), REF.match(b)
        if ma is None:                                   # the loss -> y
            edges.append((b, a))
            continue
        ka, kb = ma.group(1), mb.group(1)
        if ka == "y" and kb == "x":                      # activation
            if view == "graph":
                edges.append((b, a))
            continue
        if ka == "x" and kb == "w":                      # junction, weight side
            y = f"y[{mb.group(2)}][{mb.group(3)}]"
            if view == "graph":
                edges += [(b, "J:" + b), ("J:" + b, a)]
            else:
                edges.append((y, f"y[{ma.group(2)}][{ma.group(3)}]"))
            continue
        if ka == "x" and kb == "y":                      # junction or shortcut
            w = f"w[{mb.group(2)}][{mb.group(3)}][{ma.group(3)}]"
            ya = f"y[{ma.group(2)}][{ma.group(3)}]"
            if ("J:" + w, a) in junctions:
                edges += [(b, "J:" + w), ("J:" + w, a)] if view == "graph" else [(b, ya)]
            else:
                head = a if view == "graph" else ya
                w0, w1 = f"{b}~{head}~0", f"{b}~{head}~1"
                edges += [(b, w0), (w0, w1), (w1, head)]
            continue
        if ka == "x" and kb == "b":
            edges.append((b, a))
            continue
        raise ValueError(f"unexpected step {a} -> {b}")
    return edges


CASES = [
    # file, derive/render options, view, term
    ("samples/fc.net", ["--wrt", "w[n-2][1][1]"], "graph", 0),
    ("samples/fc.net", ["--wrt", "w[n-2][1][1]"], "graph", 2),
    ("samples/fc.net", ["--wrt", "w[n-2][1][1]"], "network", 0),
    ("samples/fc.net", ["--wrt", "y[n-2][3]", "--stage", "chain"], "graph", 0),
    ("samples/fc_dead.net", ["--wrt", "w[n-2][1][1]", "--stage", "act"], "graph", 0),
    ("samples/resblock.net", ["--of", "y[out][1]", "--wrt", "y[in][1]"], "graph", 0),
    ("samples/resblock.net", ["--of", "y[out][1]", "--wrt", "y[in][1]"], "graph", 5),
    ("samples/resblock.net", ["--of", "y[out][1]", "--wrt", "y[in][1]"], "network", 0),
    ("samples/chain.net", ["--wrt", "x"], "graph", 0),
]


def main():
    binary = sys.argv[1]
    passed = failed = 0
    for path, opts, view, term in CASES:
        name = f"{path} {' '.join(opts)} --view {view}" + (f" --term {term}" if term else "")
        try:
            js = json.loads(run(binary, ["derive", path, "--format", "json"] + opts))
            extra = ["--term", str(term)] if term else []
            svg = run(binary, ["render", path, "--view", view] + opts + extra)
            # which x <- y steps are junctions: the graph view's edges say
            junctions = all_edges(run(binary, ["render", path, "--no-labels"] + opts))
            lit = lit_edges(svg)
            paths = [t["path"] for t in js["terms"]]
            if term:
                paths = [paths[term - 1]]
            want = set()
            for p in paths:
                want |= set(drawn(p, view, junctions))
            ok = set(lit) == want and len(want) > 0
            if ok and term:
                ok = all(f"term{term}" in cls for cls in lit.values())
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL render paths: {name}")
                for e in sorted(want - set(lit)):
                    print(f"    not lit:  {e[0]} -> {e[1]}")
                for e in sorted(set(lit) - want):
                    print(f"    lit, not on a path: {e[0]} -> {e[1]}")
        except (RuntimeError, ValueError, ET.ParseError) as err:
            failed += 1
            print(f"FAIL render paths: {name}: {err}")
    print(f"render: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
