#!/usr/bin/env bash
# tests/regress.sh — answers that were once silently wrong at sizes nobody
# tried (issue "foundation", D1-D5), each at its edge and one past it.  The
# inputs are generated here: they are too large to keep as files.
#     PATHGRAD=./pathgrad bash tests/regress.sh
# The last line is "regress: P passed, F failed".
set -u
PG=${PATHGRAD:-./pathgrad}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL regress %s\n' "$*"; }

json_field() { # FILE FIELD
    python3 - "$1" "$2" <<'EOF'
import json, sys
dec = json.JSONDecoder()
text = open(sys.argv[1]).read()
obj, _ = dec.raw_decode(text)
print(obj[sys.argv[2]])
EOF
}

chain() { # NAME DEPTH WIDTH ACT: layers 0..DEPTH
    {
        echo "network $1 {"
        echo "    layer 0 : $3;"
        for i in $(seq 1 "$2"); do echo "    layer $i : $3 $4;"; done
        echo "    loss Loss;"
        echo "}"
    } >"$T/$1.net"
}

# D1, D2: --collapse on deep chains counts as count does (it once aborted
# past 4096 layers, and printed 0 past 2048)
for depth in 2047 2048 2049 4095 4096 4097 5000 20000; do
    chain "d$depth" "$depth" 1 relu
    want=$("$PG" count "$T/d$depth.net" --wrt 'w[0][1][1]')
    if "$PG" derive "$T/d$depth.net" --wrt 'w[0][1][1]' --collapse --format json >"$T/c.json" 2>"$T/err"; then
        got=$(json_field "$T/c.json" count)
        fams=$(json_field "$T/c.json" families)
        if [ "$got" = "$want" ] && [ "$fams" = 1 ] && ! grep -q '= 0"' "$T/c.json"; then ok; else
            bad "collapse depth $depth: count $got (families $fams), count says $want"; fi
    else
        bad "collapse depth $depth: exit $? $(head -c 200 "$T/err")"
    fi
done
# ... and with respect to the input of a 2,500-layer identity chain (D2)
chain c2500 2500 1 identity
got=$("$PG" derive "$T/c2500.net" --wrt 'y[0][1]' --collapse --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
if [ "$got" = 1 ]; then ok; else bad "collapse of a 2500-layer chain: count $got, want 1"; fi
"$PG" derive "$T/c2500.net" --wrt 'y[0][1]' --collapse --format text >"$T/t" 2>&1
if [ "$(grep -c '∂Loss/∂y¹₂₅₀₀' "$T/t")" = 1 ] && ! grep -q '= 0$' "$T/t"; then ok; else bad "collapse text of the 2500-layer chain"; fi

# D3: fan-in past 64: a layer with N dense inputs has N paths to the input
fanin() { # N
    {
        echo "network fan {"
        echo "    layer in : 1;"
        for i in $(seq 1 "$1"); do echo "    layer a$i : 1 relu = skip(in);"; done
        printf "    layer out : 1 relu = dense(a1)"
        for i in $(seq 2 "$1"); do printf " + dense(a%d)" "$i"; done
        echo ";"
        echo "    loss Loss;"
        echo "}"
    } >"$T/fan$1.net"
}
for n in 63 64 65 70 200; do
    fanin "$n"
    want=$("$PG" count "$T/fan$n.net" --wrt 'y[in][1]')
    "$PG" derive "$T/fan$n.net" --wrt 'y[in][1]' --collapse --format json >"$T/c.json"
    got=$(json_field "$T/c.json" count)
    terms=$("$PG" derive "$T/fan$n.net" --wrt 'y[in][1]' --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["terms"]))')
    if [ "$want" = "$n" ] && [ "$got" = "$n" ] && [ "$terms" = "$n" ]; then ok; else
        bad "fan-in $n: count $want, collapse $got, terms $terms"; fi
done

# a wide, deep net whose path count is beyond 64 bits: collapse counts it
# exactly (64^30 = 2^180)
chain wide 31 64 relu
want=$("$PG" count "$T/wide.net" --wrt 'w[0][1][1]')
"$PG" derive "$T/wide.net" --wrt 'w[0][1][1]' --collapse --format json >"$T/c.json"
got=$(json_field "$T/c.json" count)
if [ "$got" = "$want" ] && [ "$want" = "$(python3 -c 'print(64**30)')" ]; then ok; else bad "collapse of 64^30 paths: $got, count $want"; fi

# D4: a forward sum refused while drawing edge labels is an error (exit 1),
# not a crash, and leaves no temporary file
chain sig16 16 2 sigmoid
mkdir -p "$T/o"
"$PG" render "$T/sig16.net" --stage forward --no-paths -o "$T/o/x.svg" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && [ -z "$(ls "$T/o")" ] && grep -q '^pathgrad: error: stage forward: the forward path sum of' "$T/err"; then ok; else
    bad "render --stage forward of 16 sigmoid layers: exit $rc, left $(ls "$T/o"), $(head -c 200 "$T/err")"; fi
# ... one layer fewer fits, and draws
chain sig12 12 2 sigmoid
if "$PG" render "$T/sig12.net" --stage forward --no-paths -o "$T/o/y.svg" 2>"$T/err" && xmllint --noout "$T/o/y.svg"; then ok; else
    bad "render --stage forward of 12 sigmoid layers: $(head -c 200 "$T/err")"; fi

# D5: constants beyond a double, in the file and folded
for src in 'a = 1e999 * x;' 'a = 1e300 * 1e300 * x;' 'a = exp(1000) * x;' 'a = x / 1e-999;'; do
    printf 'graph g {\n    input x;\n    %s\n}\n' "$src" >"$T/d5.net"
    "$PG" derive "$T/d5.net" --wrt x >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc = 1 ] && [ ! -s "$T/out" ] && grep -q ':3:[0-9]*: error: ' "$T/err"; then ok; else bad "D5 '$src': exit $rc, $(cat "$T/out")"; fi
done
# a product of large but finite coefficients is exact, not inf
printf 'graph g {\n    input x;\n    a = 1e300 * x;\n    b = 1e300 * a;\n}\n' >"$T/big.net"
if [ "$("$PG" derive "$T/big.net" --wrt x --format text)" = "∂b/∂x = 1·10⁶⁰⁰" ]; then ok; else bad "1e300 * 1e300 along a path"; fi

# stage forward on a scalar graph is bounded: a chain that doubles its
# expression each step is refused at the limit, not written out
{
    echo "graph grow {"
    echo "    input x;"
    echo "    a0 = x;"
    for i in $(seq 1 20); do echo "    a$i = a$((i - 1)) * a$((i - 1)) + x;"; done
    echo "}"
} >"$T/grow.net"
"$PG" derive "$T/grow.net" --wrt x --stage forward -o "$T/o/f.tex" 2>"$T/err"
rc=$?
if [ $rc = 1 ] && [ ! -e "$T/o/f.tex" ] && grep -q 'more than the limit of 20000' "$T/err"; then ok; else
    bad "stage forward of a doubling graph: exit $rc, $(head -c 200 "$T/err")"; fi

echo "regress: $pass passed, $fail failed"
[ "$fail" = 0 ]
