#!/usr/bin/env bash
# tests/fuzz_regress.sh — the fuzzers' findings and a few nasty hand-made
# inputs (tests/fuzz-regress/*), each run through the command line:
#     check, derive at each stage (--max-terms 50) and with --collapse,
#     render -o /dev/null, eval --seed 1, fmt (and fmt of fmt's output)
# Each run must end with status 0, 1 (bad input) or 2 (bad usage: e.g. a
# file with no derive statement, a network with no loss) — never a signal,
# a timeout or a status >= 3 — with nothing on stdout unless it succeeded,
# and no sanitizer report on stderr.  A NAME.err next to NAME.net holds the
# exact stderr of 'check NAME.net' (a finding about a message).
# Run from anywhere:
#     bash tests/fuzz_regress.sh [PATHGRAD]     (default $PATHGRAD, ./pathgrad)
# The last line is "fuzz-regress: P passed, F failed".
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${1:-${PATHGRAD:-./pathgrad}}
case $PG in /*) ;; *) PG="$PWD/$PG" ;; esac
LIMIT=${FUZZ_REGRESS_TIMEOUT:-60}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

one() { # FILE ARGS...: run pathgrad, judge the outcome
    local f=$1
    shift
    timeout "$LIMIT" "$PG" "$@" >"$T/out" 2>"$T/err" </dev/null
    local rc=$? why=
    if [ "$rc" = 124 ]; then
        why="timed out after $LIMIT s"
    elif [ "$rc" -ge 3 ]; then
        why="exit status $rc"
    elif grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$T/err"; then
        why="sanitizer report"
    elif [ "$rc" != 0 ] && [ -s "$T/out" ]; then
        why="exit $rc with output on stdout"
    fi
    if [ -n "$why" ]; then
        fail=$((fail + 1))
        printf 'FAIL pathgrad %s: %s\n' "$*" "$why"
        grep -E 'ERROR|runtime error|SUMMARY|#[0-3] ' "$T/err" | head -8 | sed 's/^/    /'
    else
        pass=$((pass + 1))
    fi
}

for f in tests/fuzz-regress/*; do
    [ -f "$f" ] || continue
    case $f in *.err) continue ;; esac
    one "$f" check "$f"
    if [ -f "${f%.*}.err" ]; then
        if cmp -s "${f%.*}.err" "$T/err"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            printf 'FAIL pathgrad check %s: message differs\n' "$f"
            diff "${f%.*}.err" "$T/err" | head -6 | sed 's/^/    /'
        fi
    fi
    for s in chain act local forward factored; do
        one "$f" derive "$f" --stage "$s" --max-terms 50
    done
    one "$f" derive "$f" --collapse --max-terms 50
    one "$f" render "$f" -o /dev/null
    one "$f" eval "$f" --seed 1
    one "$f" fmt "$f"
    # fmt's output (when the file parsed) formats to itself
    if [ -s "$T/out" ]; then
        if "$PG" fmt - <"$T/out" 2>/dev/null | cmp -s - "$T/out"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            printf 'FAIL pathgrad fmt %s: not idempotent\n' "$f"
        fi
    fi
done
echo "fuzz-regress: $pass passed, $fail failed"
[ "$fail" = 0 ]
