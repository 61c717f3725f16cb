#!/usr/bin/env bash
# bench/derive.sh — pathgrad derive against its peers, on the same graphs, in
# one run: networkx's all_simple_paths, igraph's get_all_simple_paths (paths
# held in memory) and SymPy's diff + expand + latex, each given the graph of
# a dense ReLU network of width 4; and pathgrad against `cat` of its own
# output (the I/O floor).  Paths (terms) per second, the ratio of pathgrad's
# rate to the peer's, and peak RSS.  Missing peers are skipped, not failed.
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
PY=/usr/bin/python3            # Debian's, where python3-networkx & co. live
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

net() { # WIDTH DEPTH [REPEAT] -> layers 0..DEPTH, relu, REPEAT derive statements
    {
        echo "network bench {"
        echo "  layer 0 : $1;"
        for i in $(seq 1 "$2"); do echo "  layer $i : $1 relu;"; done
        echo "  loss Loss;"
        for _ in $(seq 1 "${3:-0}"); do echo "  derive Loss wrt w[0][1][1];"; done
        echo "}"
    } >"$T/n$1x$2r${3:-0}.net"
    echo "$T/n$1x$2r${3:-0}.net"
}

# pathgrad's own rate, start-up excluded as the peers' set-up is: the file
# repeats the derivation REPEAT times and one process writes them all
pg_repeat() { # width depth repeat -> seconds rss
    local f t0 t1
    f=$(net "$1" "$2" "$3")
    t0=$(ms)
    /usr/bin/time -f "%M" -o "$T/rss" "$PG" derive "$f" --format text --max-terms 0 -o /dev/null 2>"$T/err" ||
        { cat "$T/err" >&2; return 1; }
    t1=$(ms)
    echo "$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}") $(cat "$T/rss")"
}

ms() { date +%s%N; }

# pathgrad: seconds and peak RSS (KB) of derive --format F to OUT
pg_run() { # file format out
    local t0 t1
    t0=$(ms)
    /usr/bin/time -f "%M" -o "$T/rss" "$PG" derive "$1" --wrt 'w[0][1][1]' --format "$2" --max-terms 0 -o "$3" 2>"$T/err" ||
        { cat "$T/err" >&2; return 1; }
    t1=$(ms)
    echo "$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}") $(cat "$T/rss")"
}

rate() { awk "BEGIN{ if ($2 > 0) printf \"%.3g\", $1 / $2; else print \"inf\" }"; }

printf '%-26s %14s %12s %14s %10s %10s\n' "tool (graph)" "paths/terms" "seconds" "per second" "vs pathgrad" "peak RSS"
for depth in 8 10; do
    f=$(net 4 "$depth")
    n=$("$PG" count "$f" --wrt 'w[0][1][1]')
    repeat=$((depth == 8 ? 200 : 20))
    read -r pt prss <<<"$(pg_repeat 4 "$depth" "$repeat")"
    prate=$(rate "$((n * repeat))" "$pt")
    printf '%-26s %14s %11ss %14s %10s %8sMB\n' "pathgrad (4x$depth) x$repeat" "$((n * repeat))" "$pt" "$prate" "1" "$((prss / 1024))"
    for tool in networkx igraph sympy; do
        [ "$tool" = sympy ] && [ "$depth" -gt 8 ] && continue     # minutes: once is enough
        if ! out=$(/usr/bin/time -f "%M" -o "$T/rss" "$PY" bench/peers.py "$tool" 4 "$depth" 2>"$T/err"); then
            printf '%-26s %s\n' "$tool (4x$depth)" "failed: $(head -1 "$T/err")"
            continue
        fi
        if [ "$out" = missing ]; then
            printf '%-26s %s\n' "$tool (4x$depth)" "skipped: not installed (Debian package python3-$tool)"
            continue
        fi
        read -r pn ps <<<"$out"
        [ "$pn" = "$n" ] || echo "  warning: $tool found $pn paths, pathgrad $n"
        r=$(rate "$pn" "$ps")
        printf '%-26s %14s %11ss %14s %10s %8sMB\n' "$tool (4x$depth)" "$pn" "$ps" "$r" \
            "$(awk "BEGIN{ if ($r > 0) printf \"%.0fx\", $prate / $r; else print \"-\" }")" "$(($(cat "$T/rss") / 1024))"
    done
done

# the big one: 4^13 terms, text and LaTeX, and cat of the same bytes
f=$(net 4 14)
n=$("$PG" count "$f" --wrt 'w[0][1][1]')
for fmt in text latex; do
    read -r t rss <<<"$(pg_run "$f" "$fmt" /dev/null)"
    printf '%-26s %14s %11ss %14s %10s %8sMB\n' "pathgrad $fmt (4x14)" "$n" "$t" "$(rate "$n" "$t")" "" "$((rss / 1024))"
done
# I/O floor: write the LaTeX to a file once, then time cat of it to /dev/null
avail=$(df --output=avail -k "$T" | tail -1)
if [ "$avail" -gt 16000000 ]; then
    read -r t _ <<<"$(pg_run "$f" latex "$T/out.tex")"
    size=$(stat -c %s "$T/out.tex")
    cat "$T/out.tex" >/dev/null        # warm the page cache
    t0=$(ms); cat "$T/out.tex" >/dev/null; t1=$(ms)
    ct=$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}")
    read -r tn _ <<<"$(pg_run "$f" latex /dev/null)"
    printf '\nLaTeX of 4x14: %s bytes; pathgrad to /dev/null %ss, cat of the file %ss: %s x cat\n' \
        "$size" "$tn" "$ct" "$(awk "BEGIN{printf \"%.2f\", $tn / $ct}")"
    rm -f "$T/out.tex"
else
    echo "(skipped the cat comparison: less than 16 GB free in $T)"
fi

# stage factored on a deep, wide net: the backprop equations, linear in the
# graph (4.2 M nodes, 8.2 M edges, 4.1 M terms); baseline: building the
# graph alone (`check`) and cat of the same output
{
    echo "network deep {"
    echo "  layer 0 : 64;"
    for i in $(seq 1 1000); do echo "  layer $i : 64 relu;"; done
    echo "  loss Loss;"
    echo "}"
} >"$T/deep.net"
"$PG" check "$T/deep.net" >/dev/null      # the first touch of 240 MB is slow here
t0=$(ms); "$PG" check "$T/deep.net" >/dev/null; t1=$(ms)
tc=$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}")
printf '\n%-34s %10s %10s %14s %10s\n' "factored, 1000 layers x 64" "seconds" "peak RSS" "output bytes" "vs check"
for run in "latex /dev/null" "text /dev/null" "latex $T/deep.out" "text $T/deep.out"; do
    read -r fmt dest <<<"$run"
    read -r t rss <<<"$(
        t0=$(ms)
        /usr/bin/time -f "%M" -o "$T/rss" "$PG" derive "$T/deep.net" --wrt 'w[0][1][1]' --stage factored \
            --format "$fmt" -o "$dest" 2>"$T/err" || cat "$T/err" >&2
        t1=$(ms)
        echo "$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}") $(cat "$T/rss")"
    )"
    size=$("$PG" derive "$T/deep.net" --wrt 'w[0][1][1]' --stage factored --format "$fmt" | wc -c)
    printf '%-34s %9ss %8sMB %14s %9sx\n' "pathgrad $fmt to ${dest/#$T\//a file }" "$t" "$((rss / 1024))" \
        "$size" "$(awk "BEGIN{printf \"%.1f\", $t / $tc}")"
done
cat "$T/deep.out" >/dev/null
t0=$(ms); cat "$T/deep.out" >/dev/null; t1=$(ms)
printf '%-34s %9ss\n%-34s %9ss\n' "pathgrad check (build only)" "$tc" "cat of the last output" \
    "$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}")"
