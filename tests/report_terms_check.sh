#!/usr/bin/env bash
# tests/report_terms_check.sh — report's terms light their paths.
#
# fc.net's page is opened in headless Chromium at #2.2 (derivation 2, term
# 2) and at #2.1, and in a frame where a script clicks term 2.3 and presses
# the arrow keys; from the DOM Chromium dumps, the edges of derivation 2's
# drawing that carry the class "lit" must be exactly those of the term's
# path, and that term alone aria-selected="true".  The expected edges are
# worked out here, independently of the page's own map: the term's path
# (its nodes) from 'pathgrad derive --format json', each step mapped to the
# drawing's edge titles by the graph view's rule (a step from an x to a y
# or a weight w passes through the junction J:w).  Negative controls: the
# edges of term 2.1 differ from those of 2.2, and the page opened at #2.1
# does not pass the check for 2.2.  Without the browser, the static checks
# run (every term an element, ids unique, tooltips, --seed numbers, the
# term limit).  Last line: "report-terms: P passed, F failed".
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL report-terms: $*"; }
check() { # label, then a command
    local label=$1
    shift
    if "$@"; then ok; else bad "$label"; fi
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -r /usr/share/javascript/katex/katex.min.js ]; then
    echo "report-terms: skipped: KaTeX is not installed (Debian package libjs-katex)"
    echo "report-terms: 0 passed, 0 failed"
    exit 0
fi
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || echo "report-terms: browser checks skipped: chromium is not installed (Debian package chromium)"
[ "${REPORT_BROWSE:-}" = none ] && CHROME=""

"$PG" report samples/fc.net -o "$T/fc.html" 2>"$T/err" && [ ! -s "$T/err" ] && ok || bad "report fc.net: $(head -2 "$T/err")"
"$PG" derive samples/fc.net --format json >"$T/derive.json" || bad "derive --format json failed"

# expected edge titles (tail->head) of term K of derivation D, one a line
cat >"$T/expect.py" <<'EOF'
import json, re, sys
sys.path.insert(0, "tests")
from checks import json_objects
objs = json_objects(open(sys.argv[1], encoding="utf-8").read())
d, k = int(sys.argv[2]), int(sys.argv[3])
path = objs[d - 1]["terms"][k - 1]["path"]      # from OF down to REF
def junction(res, operand):
    # x[L][j] <- y[M][i] through w[M][i][j]; x <- w: the weight's own junction
    m = re.fullmatch(r"x\[(.+)\]\[(\d+)\]", res)
    if not m:
        return None
    if operand.startswith("w["):
        return "J:" + operand
    o = re.fullmatch(r"y\[(.+)\]\[(\d+)\]", operand)
    return "J:w[%s][%s][%s]" % (o.group(1), o.group(2), m.group(2)) if o else None
for res, operand in zip(path, path[1:]):
    j = junction(res, operand)
    if j:
        print("%s->%s" % (operand, j))
        print("%s->%s" % (j, res))
    else:
        print("%s->%s" % (operand, res))
EOF
want() { python3 "$T/expect.py" "$T/derive.json" "$1" "$2" | sort; }
want 2 2 >"$T/want22"
want 2 1 >"$T/want21"
[ "$(wc -l <"$T/want22")" = 7 ] && ok || bad "term 2.2's path should be 7 drawn edges: $(cat "$T/want22")"
# negative control: a different term's edges differ
cmp -s "$T/want22" "$T/want21" && bad "terms 2.1 and 2.2 have the same edges" || ok

# what a dumped DOM lights: the titles of derivation D's edges with class
# lit (and of any other drawing's, which must be none), the terms selected
cat >"$T/lit.py" <<'EOF'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
what, d = sys.argv[2], sys.argv[3]
if what == "edges":
    for m in re.finditer(r'<g id="(d(\d+)-e-[^"]*)" class="([^"]*)"[^>]*>\s*<title>([^<]*)</title>', dom):
        if "lit" in m.group(3).split():
            print(("" if m.group(2) == d else "OTHER ") + html.unescape(m.group(4)))
elif what == "nodes":
    print(len([m for m in re.finditer(r'<g id="d%s-n-[^"]*" class="([^"]*)"' % d, dom) if "lit" in m.group(1).split()]))
elif what == "selected":
    for m in re.finditer(r'<li [^>]*>', dom):
        if 'aria-selected="true"' in m.group(0):
            print(re.search(r'data-term="([^"]*)"', m.group(0)).group(1))
elif what == "dim":
    print(" ".join(re.findall(r'<figure id="figure-(\d+)"[^>]*class="[^"]*\bdim\b', dom)))
EOF
lit() { python3 "$T/lit.py" "$1" "$2" "$3"; }

if [ -n "$CHROME" ]; then
    for h in 2.2 2.1; do
        timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
            --user-data-dir="$T/p$h" --virtual-time-budget=10000 --dump-dom "file://$T/fc.html#$h" \
            >"$T/dom$h" 2>"$T/log$h" || bad "chromium failed at #$h: $(tail -2 "$T/log$h")"
        lit "$T/dom$h" edges 2 | sort >"$T/lit$h"
    done
    # exactly term 2.2's edges are lit, nothing in derivation 1's drawing
    if cmp -s "$T/lit2.2" "$T/want22"; then ok; else
        bad "#2.2: lit edges differ from term 2.2's path:"; diff "$T/want22" "$T/lit2.2" | sed 's/^/    /'
    fi
    [ "$(lit "$T/dom2.2" selected 2)" = 2.2 ] && ok || bad "#2.2: selected: '$(lit "$T/dom2.2" selected 2 | tr '\n' ' ')'"
    [ "$(lit "$T/dom2.2" dim 2)" = 2 ] && ok || bad "#2.2: dimmed figures '$(lit "$T/dom2.2" dim 2)', want 2"
    # the path's 8 nodes (Loss, y, x, J, y, x, J, w) lit with it
    [ "$(lit "$T/dom2.2" nodes 2)" = 8 ] && ok || bad "#2.2: $(lit "$T/dom2.2" nodes 2) nodes lit, want 8"
    # negative control: the page at #2.1 lights 2.1's path, which fails the 2.2 check
    cmp -s "$T/lit2.1" "$T/want21" && ok || bad "#2.1: lit edges differ from term 2.1's path"
    cmp -s "$T/lit2.1" "$T/want22" && bad "#2.1 passes the check for 2.2: the check tells nothing" || ok
    [ "$(lit "$T/dom2.1" selected 2)" = 2.1 ] && ok || bad "#2.1: selected '$(lit "$T/dom2.1" selected 2)'"

    # a click on term 2.3, then ArrowRight (2.4), ArrowRight (still 2.4,
    # the last), ArrowLeft twice (2.2): each state's selected term, address
    # and lit edge titles, read by the frame's parent
    cat >"$T/click.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe src="fc.html" width="1400" height="900"></iframe>
<script>
window.addEventListener('load', function () {
  var f = document.querySelector('iframe'), doc = f.contentDocument, out = [];
  function state(label) {
    var sel = [].map.call(doc.querySelectorAll('[aria-selected="true"]'), function (e) { return e.getAttribute('data-term'); });
    var lit = [].map.call(doc.querySelectorAll('g.edge.lit'), function (e) { return e.id.split('-')[0] + ' ' + e.querySelector('title').textContent; });
    out.push(label + '\t' + sel.join(',') + '\t' + f.contentWindow.location.hash + '\t' + lit.sort().join('|'));
  }
  function key(k) {
    var t = doc.activeElement && doc.activeElement.getAttribute('data-term') ? doc.activeElement : doc.body;
    t.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true}));
  }
  doc.getElementById('2.3').click(); state('click');
  key('ArrowRight'); state('right');
  key('ArrowRight'); state('right2');
  key('ArrowLeft'); key('ArrowLeft'); state('left2');
  var pre = document.createElement('pre');
  pre.id = 'results';
  pre.textContent = '\n' + out.join('\n') + '\n';
  document.body.appendChild(pre);
});
</script></body></html>
EOF
    timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --allow-file-access-from-files --user-data-dir="$T/pclick" --virtual-time-budget=10000 \
        --dump-dom "file://$T/click.html" >"$T/click.dom" 2>"$T/click.log" || bad "chromium failed (click)"
    state() { awk -F'\t' -v l="$1" -v n="$2" '$1 == l { print $n }' "$T/click.dom"; }
    edges_of() { state "$1" 4 | tr '|' '\n' | sed -n 's/^d2 //p' | python3 -c 'import html,sys; print(html.unescape(sys.stdin.read()), end="")' | sort; }
    for s in click:2.3 right:2.4 right2:2.4 left2:2.2; do
        l=${s%%:*} t=${s#*:}
        want "${t%%.*}" "${t#*.}" >"$T/w"
        [ "$(state "$l" 2)" = "$t" ] && [ "$(state "$l" 3)" = "#$t" ] && ok ||
            bad "$l: selected '$(state "$l" 2)', address '$(state "$l" 3)', want $t"
        edges_of "$l" >"$T/g"
        # every lit edge is derivation 2's, and they are exactly term t's
        [ "$(state "$l" 4 | tr '|' '\n' | grep -vc '^d2 ')" = 0 ] && cmp -s "$T/g" "$T/w" && ok ||
            bad "$l: lit edges are not term $t's: $(state "$l" 4 | head -c 300)"
    done

    # a screenshot at #2.2, through a frame (a headless screenshot of a
    # page scrolled to its fragment comes out blank), for looking at
    printf '<!DOCTYPE html><body style="margin:0"><iframe src="fc.html#2.2" width="1400" height="1800" style="border:0"></iframe>' >"$T/shot.html"
    timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
        --user-data-dir="$T/pshot" --virtual-time-budget=10000 --window-size=1400,1800 \
        --screenshot="$T/terms.png" "file://$T/shot.html" >/dev/null 2>&1
    if [ -s "$T/terms.png" ] && [ "$(stat -c %s "$T/terms.png")" -gt 50000 ]; then
        ok
        [ -n "${REPORT_PNG_DIR:-}" ] && mkdir -p "$REPORT_PNG_DIR" && cp "$T/terms.png" "$REPORT_PNG_DIR/fc_report_2.2.png"
    else
        bad "no screenshot of fc.net's page at #2.2"
    fi
    if grep -Eq "CONSOLE.*(Error|error)|Uncaught" "$T"/log* "$T/click.log"; then
        bad "console errors: $(grep -hE "CONSOLE|Uncaught" "$T"/log* "$T/click.log" | head -3)"
    else
        ok
    fi
fi

# ---- without the browser ----
# (Graphviz writes a '-' in an id as &#45;: the page read as the browser does)
unesc() { python3 -c 'import html, sys; sys.stdout.write(html.unescape(open(sys.argv[1], encoding="utf-8").read()))' "$1"; }
unesc "$T/fc.html" >"$T/fc.txt"
p=$T/fc.txt
# every term an element: 1 + 4 for fc.net, numbered D.K
[ "$(grep -o 'data-term="[0-9.]*"' "$p" | tr '\n' ' ')" = 'data-term="1.1" data-term="2.1" data-term="2.2" data-term="2.3" data-term="2.4" ' ] &&
    ok || bad "terms: $(grep -o 'data-term="[0-9.]*"' "$p" | tr '\n' ' ')"
# ids are unique across the page's two drawings
dups=$(grep -o ' id="[^"]*"' "$p" | sort | uniq -d | head -3)
[ -z "$dups" ] && ok || bad "ids used twice: $dups"
# an edge's tooltip is its local derivative: x[n][2] <- y[n-1][1] is w[n-1][1][2]
grep -q 'id="a_d2-e-y_n-1_1--J_w_n-1_1_2"><a xlink:title="∂x²ₙ/∂y¹ₙ₋₁ = w¹²ₙ₋₁"' "$p" && ok ||
    bad "no tooltip '∂x²ₙ/∂y¹ₙ₋₁ = w¹²ₙ₋₁' on y[n-1][1] -> J:w[n-1][1][2]"
# the page stays offline
grep -Eqi "(src|href)=\"?(https?:)?//|url\((https?:)?//|@import" "$p" && bad "the page refers to something outside itself" || ok

# --seed: the tooltip has the local derivative's value, eval's number
"$PG" report samples/fc.net --seed 1 -o "$T/seed.html" 2>"$T/err" && ok || bad "report --seed 1: $(head -2 "$T/err")"
w12=$("$PG" eval samples/fc.net --seed 1 --format json | python3 -c '
import json, sys; v = json.load(sys.stdin)["values"]; print("%.4g" % v["w[n-1][1][2]"])' 2>/dev/null)
unesc "$T/seed.html" | grep -q "id=\"a_d2-e-y_n-1_1--J_w_n-1_1_2\"><a xlink:title=\"∂x²ₙ/∂y¹ₙ₋₁ = w¹²ₙ₋₁ = $w12 " && ok ||
    bad "--seed 1: the tooltip of y[n-1][1] -> J:w[n-1][1][2] lacks w[n-1][1][2] = $w12"
# --values as eval reads them; --values with several blocks needs --block
if [ -f samples/olah.values ]; then
    "$PG" report samples/olah.net --values samples/olah.values -o "$T/olah.html" 2>"$T/err" && grep -q 'data-term="1.1"' "$T/olah.html" &&
        ok || bad "report --values olah: $(head -2 "$T/err")"
fi
printf 'graph a { input p; q = p * p; }\ngraph b { input r; s = r + r; }\n' >"$T/two.net"
printf 'p = 1\n' >"$T/two.values"
"$PG" report "$T/two.net" --values "$T/two.values" -o "$T/two.html" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] && grep -q -- "--block" "$T/err" && [ ! -e "$T/two.html" ] && ok || bad "--values, two blocks: rc $rc, $(cat "$T/err")"
"$PG" report "$T/two.net" --values "$T/two.values" --block a -o "$T/two.html" 2>"$T/err" && ok || bad "--values --block a: $(cat "$T/err")"
# a tied weight (rnn.net's W[1][2], used at four steps): derive writes its
# terms use by use, not in the order a walk meets them; the page's map of
# each term gives the nodes of derive's path (junctions and the copies of a
# shared weight aside), term by term
"$PG" report samples/rnn.net -o "$T/rnn.html" 2>"$T/err" || bad "report rnn.net: $(head -2 "$T/err")"
"$PG" derive samples/rnn.net --format json >"$T/rnn.json"
r=$(python3 - "$T/rnn.html" "$T/rnn.json" <<'EOF'
import html, json, re, sys
sys.path.insert(0, "tests")
from checks import json_objects
page = html.unescape(open(sys.argv[1], encoding="utf-8").read())
objs = json_objects(open(sys.argv[2], encoding="utf-8").read())
title = {m.group(1): m.group(2) for m in re.finditer(r'<g id="(d\d+-n-[^"]*)" class="[^"]*">\s*<title>([^<]*)</title>', page)}
bad = checked = 0
for d, o in enumerate(objs, 1):
    m = re.search(r'<script type="application/json" id="terms-%d">(.*?)</script>' % d, page, re.S)
    terms = json.loads(m.group(1))["nodes"] if m else []
    if len(o["terms"]) > 64 and not terms:
        continue                    # not listed: more than the page lists
    if len(terms) != len(o["terms"]):
        print("derivation %d: %d terms in the map, derive has %d" % (d, len(terms), len(o["terms"])))
        sys.exit()
    for k, (ids, t) in enumerate(zip(terms, o["terms"]), 1):
        got = {title[x].split("@")[0] for x in ids if not title[x].startswith("J:")}
        checked += 1
        if got != set(t["path"]):
            bad += 1
            if bad < 3:
                print("%d.%d: map %s, derive %s" % (d, k, sorted(got), t["path"]))
print("ok %d" % checked if not bad else "%d of %d differ" % (bad, checked))
EOF
)
[ "$r" = "ok 40" ] && ok || bad "rnn.net's map against derive: $r"
# more terms than the page lists: none listed, the page says so
cat >"$T/wide.net" <<'EOF'
network wide {
    layer 0 : 2;
    layer 1 : 2 relu;
    layer 2 : 9 relu;
    layer 3 : 9 relu;
    layer 4 : 1 relu;
    loss L;
    derive L wrt w[0][1][1];
}
EOF
"$PG" report "$T/wide.net" -o "$T/wide.html" 2>"$T/err" && ok || bad "report wide.net: $(head -2 "$T/err")"
[ "$("$PG" count "$T/wide.net" | sed 's/.*: //')" = 81 ] && ! grep -q 'data-term=' "$T/wide.html" &&
    grep -q 'more than this page lists one by one (64).*not listed one by one' "$T/wide.html" && ok ||
    bad "wide.net: more than 64 terms, yet listed (or unsaid)"

echo "report-terms: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
