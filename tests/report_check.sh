#!/usr/bin/env bash
# tests/report_check.sh — pathgrad report, end to end in headless Chromium.
#
# For every sample the page is written, makes no request of its own (no
# http(s) source, link, import or font), has a figure per derivation, and,
# loaded in headless Chromium, typesets every formula with KaTeX: the page's
# own script counts them into data attributes of <body> (typeset, failed,
# errors), read back from the DOM Chromium dumps after running it; no
# console error or uncaught exception is logged.  A source full of HTML
# is shown as text, never run.  Without KaTeX the command fails cleanly.
# fc.net's page is screenshotted to $REPORT_PNG_DIR (if set) for looking
# at.  Without chromium the browser checks are skipped with a message (CI
# installs it).  Last line: "report: P passed, F failed".
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL report: $*"; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -r /usr/share/javascript/katex/katex.min.js ]; then
    echo "report: skipped: KaTeX is not installed (Debian package libjs-katex)"
    echo "report: 0 passed, 0 failed"
    exit 0
fi
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || echo "report: browser checks skipped: chromium is not installed (Debian package chromium)"
# REPORT_BROWSE=none skips the browser (the sanitizer run does: the
# browser does not run pathgrad's code again)
[ "${REPORT_BROWSE:-}" = none ] && CHROME=""

# hostile source: markup in comments stays text, never runs
cat >"$T/hostile.net" <<'EOF'
# </pre><script>document.body.setAttribute('data-pwned','1')</script><img src=x onerror=alert(1)>
graph evil { # "quotes" & <b>ampersands</b> '\frac{}' $x$ %
    input a;
    b = a * a;
    derive b wrt a;
}
EOF

pages=()
for f in samples/*.net "$T/hostile.net"; do
    page="$T/$(basename "$f" .net).html"
    "$PG" report "$f" -o "$page" 2>"$page.err"
    echo $? >"$page.prc"
    pages+=("$(basename "$page")")
done

# Chromium takes seconds to start here: one browser loads every page, in
# frames of a page that then reads each frame's <body data-typeset,
# data-failed, data-errors, data-pwned> into a <pre> of its own DOM
if [ -n "$CHROME" ]; then
    {
        echo '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        for p in "${pages[@]}"; do echo "<iframe src=\"$p\" width=\"1400\" height=\"900\"></iframe>"; done
        cat <<'EOF'
<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('iframe').forEach(function (f) {
    var b = f.contentDocument && f.contentDocument.body, a = function (n) { return b ? b.getAttribute(n) : 'no-access'; };
    var raw = f.contentDocument ? f.contentDocument.querySelectorAll('div.math > code').length : -1;
    out.push([f.getAttribute('src'), a('data-typeset'), a('data-failed'), a('data-errors'), a('data-pwned'), raw].join('\t'));
  });
  var pre = document.createElement('pre');
  pre.id = 'results';
  pre.textContent = '\n' + out.join('\n') + '\n';
  document.body.appendChild(pre);
});
</script></body></html>
EOF
    } >"$T/all.html"
    timeout 300 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --allow-file-access-from-files --user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
        --dump-dom "file://$T/all.html" >"$T/all.dom" 2>"$T/all.log" || bad "chromium failed: $(tail -2 "$T/all.log")"
    timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --user-data-dir="$T/shot.profile" --hide-scrollbars \
        --window-size=1500,1900 --screenshot="$T/fc.png" "file://$T/fc.html" >/dev/null 2>&1
fi

# one page's result N: 2 typeset, 3 failed, 4 errors, 5 pwned, 6 raw TeX left
result() { awk -F'\t' -v p="$1" -v n="$2" '$1 == p { print $n }' "$T/all.dom"; }

for f in samples/*.net; do
    page="$T/$(basename "$f" .net).html"
    if [ "$(cat "$page.prc")" != 0 ]; then
        bad "$f: report failed: $(head -2 "$page.err")"
        continue
    fi
    [ -s "$page.err" ] && bad "$f: report wrote to stderr: $(head -2 "$page.err")" || ok
    if grep -Eqi "(src|href)=\"?(https?:)?//|url\((https?:)?//|@import" "$page"; then
        bad "$f: the page refers to something outside itself"
    else
        ok
    fi
    nmath=$(grep -o '<div class="math"' "$page" | wc -l)
    nnote=$(grep -o '<p class="note">' "$page" | wc -l)
    nder=$(grep -o '<article class="derivation"' "$page" | wc -l)
    nfig=$(grep -Eo '<figure[^>]*><svg' "$page" | wc -l)
    nstage=$(grep -o '<section class="stage">' "$page" | wc -l)
    # every stage of every derivation: a formula or a note saying why not
    [ "$nder" -ge 1 ] && [ "$nfig" = "$nder" ] && [ $((nmath + nnote)) -ge "$nstage" ] && ok ||
        bad "$f: $nder derivations, $nfig figures, $nstage stages, $nmath formulas, $nnote notes"
    [ -n "$CHROME" ] || continue
    b=$(basename "$page")
    typeset=$(result "$b" 2) failed=$(result "$b" 3) errors=$(result "$b" 4) raw=$(result "$b" 6)
    [ "$typeset" = "$nmath" ] && [ "$failed" = 0 ] && [ -z "$errors" ] && ok ||
        bad "$f: typeset '$typeset' of $nmath formulas, failed '$failed', errors '$errors'"
    # KaTeX replaced every fallback: no raw TeX left in a formula's box
    [ "$raw" = 0 ] && ok || bad "$f: $raw formulas still show their TeX"
done
if [ -n "$CHROME" ]; then
    if grep -Eq "CONSOLE.*(Error|error)|Uncaught" "$T/all.log"; then
        bad "console errors: $(grep -E "CONSOLE|Uncaught" "$T/all.log" | head -3)"
    else
        ok
    fi
    if [ -s "$T/fc.png" ] && [ "$(stat -c %s "$T/fc.png")" -gt 50000 ]; then
        ok
        [ -n "${REPORT_PNG_DIR:-}" ] && mkdir -p "$REPORT_PNG_DIR" && cp "$T/fc.png" "$REPORT_PNG_DIR/fc_report.png"
    else
        bad "no screenshot of fc.net's page"
    fi
fi

h="$T/hostile.html"
[ "$(cat "$h.prc")" = 0 ] && [ ! -s "$h.err" ] && ok || bad "hostile: $(head -1 "$h.err")"
grep -q "&lt;/pre&gt;&lt;script&gt;document" "$h" && ! grep -q "<img src=x" "$h" && ok ||
    bad "hostile: the source's markup is not escaped"
if [ -n "$CHROME" ]; then
    typeset=$(result hostile.html 2) failed=$(result hostile.html 3) pwned=$(result hostile.html 5)
    [ -z "$pwned" ] && [ "$failed" = 0 ] && [ "${typeset:-0}" -ge 5 ] && ok ||
        bad "hostile: pwned '$pwned', typeset '$typeset', failed '$failed'"
fi

# no KaTeX: a message, exit 1, nothing written
"$PG" report samples/fc.net --katex "$T/nowhere" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && [ ! -s "$T/out" ] && grep -q "libjs-katex" "$T/err" && ok || bad "--katex nowhere: rc $rc"
"$PG" report samples/fc.net --katex "$T/nowhere" -o "$T/none.html" 2>/dev/null
[ ! -e "$T/none.html" ] && ok || bad "--katex nowhere left a file"

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
