#!/usr/bin/env bash
# bench/render.sh — how long `pathgrad render` takes, against a baseline
# measured in the same run: Graphviz's own command-line renderer (neato -n2,
# no layout) drawing pathgrad's laid-out DOT of the same graph to SVG.  A
# ratio near 1 means pathgrad adds little beyond writing the SVG itself.
# Figures are wall-clock seconds (best of N runs) and peak RSS.
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

dense() { # WIDTH DEPTH -> a dense relu net, derive Loss wrt w[0][1][1]
    local w=$1 d=$2
    {
        echo "network net {"
        echo "  layer 0 : $w;"
        for i in $(seq 1 $((d - 1))); do echo "  layer $i : $w relu;"; done
        echo "  loss Loss;"
        echo "  derive Loss wrt w[0][1][1];"
        echo "}"
    } >"$T/dense${w}x$d.net"
    echo "$T/dense${w}x$d.net"
}

# best wall time of N runs (seconds, to the millisecond) and the peak RSS
measure() { # N cmd...
    local n=$1 best="" rss=0 t0 t1 t m
    shift
    for _ in $(seq 1 "$n"); do
        t0=$(date +%s%N)
        /usr/bin/time -f "%M" -o "$T/time" "$@" >/dev/null 2>"$T/err" || { echo "FAILED: $*" >&2; cat "$T/err" >&2; return 1; }
        t1=$(date +%s%N)
        t=$(awk "BEGIN{printf \"%.3f\", ($t1 - $t0) / 1e9}")
        m=$(cat "$T/time")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $rss"
}

printf '%-22s %-8s %9s %9s %12s %10s %9s\n' "input" "view" "pathgrad" "graphviz" "ratio" "peak RSS" "SVG"
for spec in "samples/fc.net" "20x20" "50x50"; do
    case $spec in
        *.net) f=$spec; runs=5 ;;
        20x20) f=$(dense 20 20); runs=3 ;;
        50x50) f=$(dense 50 50); runs=1 ;;
    esac
    for view in graph network; do
        # the 50x50 graph view has 250,000 boxes and junctions: measured once
        r=$(measure "$runs" "$PG" render "$f" --view "$view" -o "$T/out.svg") || exit 1
        read -r t m <<<"$r"
        size=$(stat -c %s "$T/out.svg")
        base="-"
        ratio="-"
        if command -v neato >/dev/null; then
            "$PG" render "$f" --view "$view" --format dot -o "$T/out.dot"
            b=$(measure "$runs" neato -n2 -Tsvg -o "$T/base.svg" "$T/out.dot") || exit 1
            read -r base _ <<<"$b"
            ratio=$(awk "BEGIN{ if ($base > 0) printf \"%.2f\", $t / $base; else print \"-\" }")
        fi
        printf '%-22s %-8s %8ss %8ss %12s %8sMB %7sMB\n' "$(basename "$f")" "$view" "$t" "$base" "$ratio" \
            "$(awk "BEGIN{printf \"%.1f\", $m/1024}")" "$(awk "BEGIN{printf \"%.1f\", $size/1048576}")"
    done
done
