#!/usr/bin/env python3
"""render's labels read the same in every viewer: no two collide.

Every samples/*.net is drawn in every view it has (graph; network for a
network), with and without --colors (where the derivative has few enough
terms), and once with --seed 1 (values and gradients under the names);
so are a network of long layer names (labels wider than the samples') and
drawings top to bottom (--rankdir TB).
Each SVG must pass `xmllint --noout`.  Then all of them go inline into ONE
page that headless Chromium loads once (it takes seconds to start): a
script of the page takes the box (getBoundingClientRect) of every <text>
(one label each) and writes, per drawing, the pairs of boxes that
intersect by more than 0.5 px in both directions into the DOM, which
Chromium dumps and this script reads back.  Every drawing must have none.
The page holds each drawing twice: once in the fonts the SVG names
(DejaVu Serif on Debian) and once forced to Liberation Serif (Times'
metrics), when that font is installed: a label must fit in either (the
largest drawings are looked at in DejaVu Serif only, for time).

Negative control: a drawing made to collide (two labels at one place, and
a label over its neighbour) must be reported, or the check could not fail.

Without chromium the browser part is skipped with a message (CI installs
it); SVG_TEXT_BROWSE=none skips it too (the sanitizer pass: the browser
runs none of pathgrad's code), and the deep_* samples' drawings (seconds
each under the sanitizers; the plain pass draws them).  Last line: "svg-text: P passed, F failed".

Usage: python3 tests/svg_text_check.py ./pathgrad
"""
import glob
import html
import time
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from checks import Checks

BAD = """<svg width="200pt" height="60pt" viewBox="0 0 200 60" xmlns="http://www.w3.org/2000/svg">
<g id="graph0" class="graph" transform="translate(4 56)">
<text text-anchor="middle" x="40" y="-20" font-family="DejaVu Serif,serif" font-size="14">collide</text>
<text text-anchor="middle" x="40" y="-20" font-family="DejaVu Serif,serif" font-size="14">collide</text>
<text text-anchor="middle" x="120" y="-20" font-family="DejaVu Serif,serif" font-size="14">w<tspan dy="-5" font-size="10">11</tspan></text>
<text text-anchor="start" x="126" y="-20" font-family="DejaVu Serif,serif" font-size="14">x</text>
</g></svg>
"""

WIDE = """# long layer names: labels wider than the samples'
network wide_names {
    layer input_layer : 3;
    layer hidden_layer_one : 3 sigmoid = dense(input_layer) bias;
    layer hidden_layer_two : 3 tanh = dense(hidden_layer_one) + skip(hidden_layer_one);
    layer output_layer : 2 = dense(hidden_layer_two) bias;
    loss Loss = mse;
    derive Loss wrt w[input_layer][1][1];
}
"""

# the drawings of more labels than this (deep_*.net's graph view, a
# second each in the browser) are looked at in DejaVu Serif only, the
# widest font: the test stays within its half minute
BIG = 1000

DROP = re.compile(r"<(path|polygon|polyline|ellipse|title)\b[^>]*?(/>|>.*?</\1>)\n?|<!--.*?-->\n?", re.S)

SCRIPT = r"""
<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('div.drawing').forEach(function (d) {
    var t = d.querySelectorAll('text'), b = [];
    for (var i = 0; i < t.length; i++) {
      var r = t[i].getBoundingClientRect();
      if (r.width > 0 && r.height > 0)
        b.push({l: r.left, r: r.right, t: r.top, b: r.bottom, i: i});
    }
    b.sort(function (p, q) { return p.l - q.l; });
    var pairs = [];
    for (var i = 0; i < b.length; i++)
      for (var j = i + 1; j < b.length && b[j].l < b[i].r - 0.5; j++) {
        var w = Math.min(b[i].r, b[j].r) - b[j].l;
        var h = Math.min(b[i].b, b[j].b) - Math.max(b[i].t, b[j].t);
        if (w > 0.5 && h > 0.5) {
          var name = function (k) {
            return JSON.stringify(t[k.i].textContent.replace(/\s+/g, ' ').slice(0, 40)) +
                   '@' + Math.round(k.l) + ',' + Math.round(k.t);
          };
          pairs.push(name(b[i]) + ' ~ ' + name(b[j]));
        }
      }
    out.push(['DRAWING', d.id, b.length, pairs.length].join('\t'));
    pairs.slice(0, 6).forEach(function (p) { out.push('PAIR\t' + d.id + '\t' + p); });
  });
  var pre = document.createElement('pre');
  pre.id = 'results';
  pre.textContent = '\n' + out.join('\n') + '\nEND\n';
  document.body.appendChild(pre);
});
</script>
"""


def main():
    pg = sys.argv[1] if len(sys.argv) > 1 else "./pathgrad"
    check = Checks("svg-text")

    jobs = []
    quick = os.environ.get("SVG_TEXT_BROWSE") == "none"
    for path in sorted(glob.glob("samples/*.net")):
        name = os.path.basename(path)[:-4]
        if quick and name.startswith("deep_"):
            continue        # 10 s a drawing under the sanitizers; the plain pass draws them
        network = re.search(r"^\s*network\b", open(path).read(), re.M) is not None
        for view in ["graph", "network"] if network else ["graph"]:
            jobs.append(("%s-%s" % (name, view), [path, "--view", view], False))
            jobs.append(("%s-%s-colors" % (name, view), [path, "--view", view, "--colors"], True))
        jobs.append(("%s-seed" % name, [path, "--seed", "1"], True))

    with tempfile.TemporaryDirectory() as tmp:
        # labels wider than the samples' (the pitches must follow them), and
        # drawings top to bottom
        wide = os.path.join(tmp, "wide.net")
        with open(wide, "w") as f:
            f.write(WIDE)
        for view in ["graph", "network"]:
            jobs.append(("wide-%s" % view, [wide, "--view", view], False))
            jobs.append(("wide-%s-seed" % view, [wide, "--view", view, "--seed", "1"], False))
            jobs.append(("wide-%s-tb" % view, [wide, "--view", view, "--rankdir", "TB", "--seed", "2"], False))
            jobs.append(("fc-%s-tb" % view, ["samples/fc.net", "--view", view, "--rankdir", "TB"], False))
        jobs.append(("wide-colors", [wide, "--colors"], False))

        def draw(job):
            label, args, may_refuse = job
            out = os.path.join(tmp, label + ".svg")
            r = subprocess.run([pg, "render"] + args + ["-o", out], capture_output=True, text=True)
            return label, args, may_refuse, r, out

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            results = list(ex.map(draw, jobs))
        svgs = []
        for label, args, may_refuse, r, out in results:
            if r.returncode != 0:
                # --colors of many terms, --seed of an opaque function: refused
                # with a message, drawn nowhere (the other tests check those)
                refused = may_refuse and r.returncode in (1, 2) and (
                    "--colors" in r.stderr or "--term and --colors" in r.stderr or "cannot be evaluated" in r.stderr)
                check(refused, "render %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()[:300]))
                continue
            check(r.stderr == "", "render %s wrote to stderr: %s" % (" ".join(args), r.stderr[:200]))
            if shutil.which("xmllint"):
                x = subprocess.run(["xmllint", "--noout", out], capture_output=True, text=True)
                check(x.returncode == 0, "%s: xmllint: %s" % (label, x.stderr[:300]))
            svgs.append((label, out))
        check(len(svgs) >= (30 if quick else 40), "only %d drawings made" % len(svgs))

        chrome = shutil.which("chromium") or shutil.which("chromium-browser")
        if os.environ.get("SVG_TEXT_BROWSE") == "none":
            chrome = None
        elif not chrome:
            print("svg-text: browser checks skipped: chromium is not installed (Debian package chromium)")
        if chrome:
            fonts = subprocess.run(["fc-list", ":family=Liberation Serif"], capture_output=True,
                                   text=True).stdout if shutil.which("fc-list") else ""
            variants = [("", "")]
            if fonts.strip():
                variants.append(("lib-", " class=\"liberation\""))
            else:
                print("svg-text: Liberation Serif not installed (fonts-liberation2): checked in DejaVu Serif only")
            page = os.path.join(tmp, "all.html")
            with open(page, "w", encoding="utf-8") as f:
                f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
                        'div.drawing { margin: 8px; }'
                        '.liberation text, .liberation tspan { font-family: "Liberation Serif" !important; }'
                        '</style></head><body>\n')
                for prefix, cls in variants:
                    for label, out in svgs + [("negative-control", None)]:
                        svg = BAD if out is None else open(out, encoding="utf-8").read()
                        if prefix and svg.count("<text") > BIG:
                            continue
                        # only the text matters: the lines and shapes
                        # (most of the bytes) go, for a faster browser
                        svg = DROP.sub("", svg[svg.index("<svg"):])
                        f.write('<div class="drawing" id="%s%s"><div%s>%s</div></div>\n' % (prefix, label, cls, svg))
                        f.write("<!-- -->\n")
                f.write(SCRIPT + "</body></html>\n")
            t0 = time.time()
            dom = os.path.join(tmp, "all.dom")
            with open(dom, "w") as dout:
                r = subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                    "--user-data-dir=" + os.path.join(tmp, "profile"), "--virtual-time-budget=10000",
                                    "--dump-dom", "file://" + page], stdout=dout, stderr=subprocess.PIPE,
                                   text=True, timeout=300)
            if os.environ.get("SVG_TEXT_VERBOSE"):
                print("svg-text: the page is %d bytes, chromium took %.1f s" % (os.path.getsize(page), time.time() - t0))
            text = html.unescape(open(dom, encoding="utf-8").read())
            check(r.returncode == 0 and "\nEND\n" in text, "chromium failed: %s" % r.stderr[-300:])
            seen = {}
            pairs = {}
            for line in text.split("\n"):
                p = line.split("\t")
                if p[0] == "DRAWING" and len(p) == 4:
                    seen[p[1]] = (int(p[2]), int(p[3]))
                elif p[0] == "PAIR" and len(p) == 3:
                    pairs.setdefault(p[1], []).append(p[2])
            total = 0
            for prefix, _ in variants:
                n = seen.get(prefix + "negative-control")
                check(n is not None and n[1] >= 2, "the negative control's collisions were not found: %s" % (n,))
                for label, out in svgs:
                    got = seen.get(prefix + label)
                    if got is None and prefix and open(out, encoding="utf-8").read().count("<text") > BIG:
                        continue
                    if got is None:
                        check(False, "%s%s: no result from the browser" % (prefix, label))
                        continue
                    total += got[1]
                    check(got[1] == 0, "%s%s: %d of %d labels collide: %s" % (
                        prefix, label, got[1], got[0], "; ".join(pairs.get(prefix + label, []))))
            if os.environ.get("SVG_TEXT_VERBOSE") or check.failed:
                print("svg-text: %d drawings, %d collisions in all" % (len(svgs), total))
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
