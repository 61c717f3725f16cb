#!/usr/bin/env bash
# tests/run.sh — pathgrad's test suite.  Run from the repository root:
#     PATHGRAD=./pathgrad bash tests/run.sh [--update]
#
# Golden tests are data, not code (adding a case means adding files):
#   tests/cases/NAME.cmd      pathgrad's arguments (one line, shell words);
#                             NAME.stdin, if present, is its standard input
#     NAME.out / NAME.err     expected stdout / stderr (absent: must be empty)
#     NAME.status             expected exit status (absent: 0, or 1 with .err)
#   tests/article/AN.cmd      arguments that must print the article's formula
#     AN.tex                  the formula as ARTICLE.md prints it; compared
#                             after removing all whitespace
#   tests/errors/NAME.net     a bad input; NAME.err its exact diagnostic;
#                             run as 'pathgrad check' unless NAME.cmd says
#                             otherwise (a NAME.cmd alone is a case too, e.g.
#                             a bad VALUES file); exit 1, nothing on stdout
# then the property tests (tests/prop/props.py, tests/prop/classics.py) and the checks in
# tests/cli.sh.  --update rewrites .out/.err from the current binary (read
# every changed golden file before committing it).
# The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
case $PG in /*) ;; *) PG="$PWD/$PG" ;; esac
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1
export LC_ALL=C.UTF-8
pass=0
fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }

# run ARGS-LINE [STDIN-FILE]: sets $T/out $T/err $rc
run_line() {
    local line=$1 in=${2:-/dev/null}
    eval "set -- $line"
    "$PG" "$@" <"$in" >"$T/out" 2>"$T/err"
    rc=$?
}

same() { # expected-file actual-file: absent expected means empty
    if [ -f "$1" ]; then cmp -s "$1" "$2"; else [ ! -s "$2" ]; fi
}

# ---- golden command cases ----
for cmd in tests/cases/*.cmd; do
    [ -e "$cmd" ] || continue
    base=${cmd%.cmd}
    stdin=/dev/null
    [ -f "$base.stdin" ] && stdin=$base.stdin
    run_line "$(cat "$cmd")" "$stdin"
    want=0
    [ -f "$base.err" ] && want=1
    [ -f "$base.status" ] && want=$(cat "$base.status")
    if [ $UPDATE = 1 ]; then
        if [ -s "$T/out" ]; then cp "$T/out" "$base.out"; else rm -f "$base.out"; fi
        if [ -s "$T/err" ]; then cp "$T/err" "$base.err"; else rm -f "$base.err"; fi
    fi
    if [ "$rc" != "$want" ]; then
        bad "$cmd: exit status $rc, expected $want"; sed 's/^/    /' "$T/err" | head -5
    elif ! same "$base.out" "$T/out"; then
        bad "$cmd: stdout differs"; diff "$base.out" "$T/out" 2>&1 | head -10 | sed 's/^/    /'
    elif ! same "$base.err" "$T/err"; then
        bad "$cmd: stderr differs"; diff "$base.err" "$T/err" 2>&1 | head -10 | sed 's/^/    /'
    else
        ok
    fi
done

# ---- the article's formulas, whitespace removed ----
for cmd in tests/article/*.cmd; do
    [ -e "$cmd" ] || continue
    base=${cmd%.cmd}
    run_line "$(cat "$cmd")"
    got=$(tr -d ' \t\n\r' <"$T/out")
    want=$(tr -d ' \t\n\r' <"$base.tex")
    if [ "$rc" != 0 ]; then
        bad "$cmd: exit status $rc"; sed 's/^/    /' "$T/err" | head -5
    elif [ "$got" != "$want" ]; then
        bad "$cmd: differs from the article"; printf '    want %s\n    got  %s\n' "$want" "$got"
    else
        ok
    fi
done

# ---- diagnostics: located error, exit 1, nothing on stdout ----
for base in $(ls tests/errors/*.net tests/errors/*.cmd 2>/dev/null | sed 's/\.[a-z]*$//' | sort -u); do
    net=$base.net
    [ -f "$net" ] || net=$base.cmd
    line="check $net"
    [ -f "$base.cmd" ] && line=$(cat "$base.cmd")
    run_line "$line"
    [ $UPDATE = 1 ] && cp "$T/err" "$base.err"
    if [ "$rc" != 1 ]; then
        bad "$net: exit status $rc, expected 1"; sed 's/^/    /' "$T/err" | head -5
    elif [ -s "$T/out" ]; then
        bad "$net: wrote to stdout"
    elif ! cmp -s "$base.err" "$T/err"; then
        bad "$net: message differs"; diff "$base.err" "$T/err" 2>&1 | head -10 | sed 's/^/    /'
    else
        ok
    fi
done

# ---- command-line behaviour (sourced: uses ok/bad/run_line) ----
# shellcheck source=tests/cli.sh
. tests/cli.sh

# ---- scripts that report "NAME: P passed, F failed" ----
summarise() { # label, then the command
    local label=$1 t0=$SECONDS
    shift
    "$@" >"$T/sub" 2>&1
    local prc=$?
    [ -z "${TIMES:-}" ] || echo "  ($label: $((SECONDS - t0)) s)"
    grep -Ev '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$T/sub" | head -40
    local summary p f
    summary=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$T/sub" | tail -1)
    p=$(printf '%s' "$summary" | sed -n 's/^[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s' "$summary" | sed -n 's/^[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then
        bad "$label: no summary (exit $prc)"; tail -5 "$T/sub" | sed 's/^/    /'
    else
        pass=$((pass + p)); fail=$((fail + f))
        [ "$prc" = 0 ] || [ "$f" != 0 ] || bad "$label: exit $prc"
    fi
}
summarise "README examples" python3 tests/readme_check.py "$PG"
summarise "render paths" python3 tests/render_paths.py "$PG"
# render --values/--seed: the numbers on the drawing are eval's
summarise "render values" python3 tests/render_values_check.py "$PG"
summarise "collapse" python3 tests/collapse_check.py "$PG"
# --collapse on unrolled graphs (sums over t of BPTT), expanded back
summarise "collapse on graphs" python3 tests/collapse_graph_check.py "$PG"
# every sample begins with a comment and passes eval --check (its .values,
# its `# eval: ARGS` lines); conv1d's kernel gradient is the cross-correlation;
# Pascanu's w^T, a tied RNN's n^q paths, the LSTM's carousel, the highway's
# carry path (numbers derived, not recorded)
summarise "samples" python3 tests/samples_check.py "$PG"
summarise "conv kernel" python3 tests/conv1d_check.py "$PG"
summarise "reproductions" python3 tests/reproductions_check.py "$PG"
# --init's laws read back from eval; vanish of several files
summarise "init" python3 tests/init_check.py "$PG"
summarise "regressions at the limits" env PATHGRAD="$PG" bash tests/regress.sh
# random valid programs at every limit and construct, checked differentially
# (count = terms = collapsed families; reverse mode = path sums = finite
# differences; fmt a fixed point; exit statuses): DIFFFUZZ_SECONDS, 15 s
summarise "difffuzz" python3 tests/gen/difffuzz.py --bin "$PG" --seconds "${DIFFFUZZ_SECONDS:-15}"
summarise "latex documents" env PATHGRAD="$PG" bash tests/latex_check.sh
summarise "fmt" python3 tests/fmt_check.py "$PG"
# fuzzers' findings and hand-made nasty inputs: no crash, no sanitizer report
summarise "fuzz regressions" bash tests/fuzz_regress.sh "$PG"
# the browser runs once, in the plain pass
case $PG in */pathgrad) browse="" ;; *) browse=none ;; esac
summarise "report" env PATHGRAD="$PG" REPORT_BROWSE="$browse" bash tests/report_check.sh
# its terms: the page at #2.2 (and after a click, arrow keys) lights exactly
# that term's path, computed here from derive's JSON
summarise "report terms" env PATHGRAD="$PG" REPORT_BROWSE="$browse" bash tests/report_terms_check.sh
# every sample drawn in every view: no two labels collide in Chromium (one
# page, one launch), in DejaVu Serif or Liberation Serif; xmllint
summarise "svg text" env SVG_TEXT_BROWSE="$browse" python3 tests/svg_text_check.py "$PG"
# make install / uninstall, man pages, completion, editor grammars (plain build only)
case $PG in */pathgrad) summarise "install" bash tests/install.sh ;; esac
# properties on random networks
# shellcheck disable=SC2086
summarise "property tests" python3 tests/prop/props.py --bin "$PG" ${PROPS_ARGS:-}
# random programs of every new construct (input layers, dense as / shared,
# softmax, xent and its fold; indexed names, nested for, sum, prod) against
# an independent model (forward values, reverse mode, path counts) and the
# three-way eval --check; fixed seeds and a base that rotates with the
# time: CLASSICS_SECONDS, 25 s
summarise "classic constructs, random" python3 tests/prop/classics.py --bin "$PG" --seconds "${CLASSICS_SECONDS:-14}"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
