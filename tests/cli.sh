# tests/cli.sh — command-line behaviour that golden files cannot express.
# Sourced by tests/run.sh: uses $PG, $T, ok, bad, run_line.

# the file's derive statements, from a path and from standard input
"$PG" derive samples/fc.net >"$T/a" 2>&1
"$PG" derive - <samples/fc.net >"$T/b" 2>&1
if [ -s "$T/a" ] && cmp -s "$T/a" "$T/b"; then ok; else bad "derive - < fc.net differs from derive fc.net"; fi

# -o writes the same bytes as stdout, atomically, leaving no temporary file
rm -rf "$T/o" && mkdir "$T/o"
"$PG" derive samples/fc.net -o "$T/o/f.tex" 2>"$T/err"
if cmp -s "$T/a" "$T/o/f.tex" && [ "$(ls "$T/o")" = f.tex ]; then ok; else bad "-o FILE: wrong content or leftovers: $(ls "$T/o")"; fi

# a failing derivation never replaces or creates the output file
echo keep >"$T/o/f.tex"
"$PG" derive samples/fc.net --wrt 'w[n-2][9][1]' -o "$T/o/f.tex" 2>/dev/null
rc=$?
if [ $rc = 2 ] && [ "$(cat "$T/o/f.tex")" = keep ] && [ "$(ls "$T/o")" = f.tex ]; then ok; else bad "-o after an error: rc $rc, file $(cat "$T/o/f.tex"), dir $(ls "$T/o")"; fi

# writing to a full device fails with a message and exit 1
if [ -w /dev/full ]; then
    "$PG" derive samples/fc.net -o /dev/full 2>"$T/err"
    rc=$?
    if [ $rc = 1 ] && grep -q "cannot write '/dev/full'" "$T/err" && [ -c /dev/full ]; then ok; else bad "-o /dev/full: rc $rc: $(cat "$T/err")"; fi
    "$PG" derive samples/fc.net >/dev/full 2>"$T/err"
    rc=$?
    if [ $rc = 1 ] && grep -q "cannot write standard output" "$T/err"; then ok; else bad ">/dev/full: rc $rc: $(cat "$T/err")"; fi
fi

# a read-only folder: message, exit 1, nothing left behind
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/ro" && chmod 555 "$T/ro"
    "$PG" derive samples/fc.net -o "$T/ro/x.tex" 2>"$T/err"
    rc=$?
    if [ $rc = 1 ] && [ -z "$(ls "$T/ro")" ]; then ok; else bad "-o into a read-only folder: rc $rc"; fi
fi

# a closed standard output is a write error, not a success
"$PG" derive samples/fc.net >&- 2>"$T/err"
rc=$?
if [ $rc = 1 ]; then ok; else bad "closed stdout: rc $rc"; fi

# usage errors exit 2
for args in "" "frobnicate samples/fc.net" "derive" "derive samples/fc.net --stage nope" \
            "derive samples/fc.net --format pdf" "derive samples/fc.net --max-terms -1" \
            "derive samples/fc.net --wrt" "derive samples/fc.net --bogus" \
            "derive samples/fc.net --env split" "derive samples/fc.net --standalone --format text" \
            "derive samples/fc.net --env align --format json" "render samples/fc.net --standalone" \
            "count samples/fc.net --env align" "derive samples/fc.net --latex-names bold" \
            "derive samples/fc.net --in-place" "fmt - --in-place" "fmt samples/fc.net --in-place --check" \
            "fmt samples/fc.net --in-place -o x.net" "report samples/fc.net --block nope"; do
    run_line "$args"
    if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && [ -s "$T/err" ]; then ok; else bad "usage error '$args': rc $rc"; fi
done

# --help and --version
run_line "--help"
if [ "$rc" = 0 ] && grep -q '^  derive FILE' "$T/out"; then ok; else bad "--help"; fi
run_line "--version"
if [ "$rc" = 0 ] && grep -Eq '^pathgrad [0-9]+\.[0-9]+' "$T/out"; then ok; else bad "--version"; fi

# count is exact far beyond 64 bits: a 200-block residual chain has 2^200 paths
{
    echo "network res200 {"
    echo "  layer 0 : 1;"
    for i in $(seq 1 200); do echo "  layer $i : 1 relu = dense($((i - 1))) + skip($((i - 1)));"; done
    echo "  loss Loss;"
    echo "}"
} >"$T/res200.net"
run_line "count $T/res200.net --wrt y[0][1]"
want=$(python3 -c 'print(2**200)')
if [ "$rc" = 0 ] && [ "$(cat "$T/out")" = "$want" ]; then ok; else bad "count of 2^200 paths: got $(cat "$T/out")"; fi

# every drawing the render cases make is well-formed XML that librsvg turns
# into a PNG, and the same input gives the same bytes twice
for cmd in tests/cases/render_*.cmd; do
    run_line "$(cat "$cmd")"
    [ "$rc" = 0 ] || continue
    cp "$T/out" "$T/first.svg"
    run_line "$(cat "$cmd")"
    if ! cmp -s "$T/out" "$T/first.svg"; then
        bad "$cmd: two runs gave different bytes"
    elif head -c 5 "$T/out" | grep -q '<?xml'; then
        if ! xmllint --noout "$T/out" 2>"$T/xerr"; then
            bad "$cmd: xmllint: $(head -3 "$T/xerr")"
        elif ! rsvg-convert "$T/out" -o "$T/out.png" 2>"$T/xerr" || [ ! -s "$T/out.png" ]; then
            bad "$cmd: rsvg-convert: $(head -3 "$T/xerr")"
        else
            ok
        fi
    else
        ok
    fi
done

# a refused render (a usage error, checked before the output is opened) leaves no output file behind
rm -rf "$T/o" && mkdir "$T/o"
"$PG" render samples/fc.net --wrt 'w[n-2][1][1]' --term 9 -o "$T/o/x.svg" 2>/dev/null
rc=$?
if [ $rc = 2 ] && [ -z "$(ls "$T/o")" ]; then ok; else bad "render --term 9 -o: rc $rc, left $(ls "$T/o")"; fi

# vanish's PLplot chart is well-formed SVG that librsvg draws
run_line "vanish samples/deep_sigmoid.net --format svg"
if [ "$rc" = 0 ] && xmllint --noout "$T/out" 2>/dev/null && rsvg-convert "$T/out" -o "$T/v.png" 2>/dev/null && [ -s "$T/v.png" ]; then ok; else bad "vanish --format svg: rc $rc"; fi

# -o naming a directory is refused
run_line "derive samples/fc.net -o $T"
if [ "$rc" = 1 ] && grep -q "it is a directory" "$T/err" && [ ! -s "$T/out" ]; then ok; else bad "-o DIRECTORY: rc $rc"; fi

# an input beyond 64 MiB is refused with a message, not read to the end
head -c 70000000 /dev/zero | tr '\0' '#' | "$PG" check - >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 1 ] && grep -q "larger than the limit of 64 MiB" "$T/err" && [ ! -s "$T/out" ]; then ok; else bad "70 MB input: rc $rc: $(head -c 200 "$T/err")"; fi

# an interrupted -o leaves nothing: not the file, not its temporary.  The
# run (4^14 terms, minutes) is stopped while it writes, by SIGINT (job
# control on, so the shell does not ignore it for the background job) and
# by SIGTERM; each must exit by the signal, with the folder as it was
rm -rf "$T/sig" && mkdir "$T/sig"
{
    echo "network big {"; echo "  layer 0 : 4;"
    for i in $(seq 1 15); do echo "  layer $i : 4 relu;"; done
    echo "  loss Loss;"; echo "}"
} >"$T/sig.net"
for s in INT TERM; do
    rc=$(
        set -m
        "$PG" derive "$T/sig.net" --wrt 'w[0][1][1]' --max-terms 0 -o "$T/sig/out.tex" 2>/dev/null &
        p=$!
        # wait until the temporary file exists and grows, then signal
        for _ in $(seq 1 100); do
            f=$(ls "$T/sig" 2>/dev/null | head -1)
            [ -n "$f" ] && [ "$(stat -c %s "$T/sig/$f" 2>/dev/null || echo 0)" -gt 1000000 ] && break
            sleep 0.05
        done
        kill -"$s" "$p"
        wait "$p"
        echo $?
    )
    if [ "$rc" -ge 128 ] && [ -z "$(ls "$T/sig")" ]; then ok; else bad "SIG$s during -o: rc $rc, left: $(ls "$T/sig")"; fi
    rm -f "$T/sig"/*
done

# hostile names reach JSON, SVG and DOT escaped: the JSON parses (names
# intact), the SVG is well-formed, Graphviz reads the DOT back
"$PG" derive tests/hostile/names.net --format json >"$T/names.json" 2>"$T/err" &&
    python3 -c 'import json,sys
objs = [json.loads(l) for l in sys.stdin.read().replace("}\n{", "}\x00{").split("\x00")]
assert [o["wrt"] for o in objs] == ["a_b", "frac", "w[in_put][1][2]"], objs
assert objs[0]["latex"].startswith("\\frac{\\partial \\mathit{Loss}_{total}}")' <"$T/names.json" && ok || bad "names.net JSON"
for b in names net_work_; do
    "$PG" render tests/hostile/names.net --block "$b" -o "$T/names.svg" 2>"$T/err" && xmllint --noout "$T/names.svg" &&
        grep -q "Loss_total\|Big_Loss" "$T/names.svg" && ok || bad "names.net render --block $b: $(head -1 "$T/err")"
    "$PG" render tests/hostile/names.net --block "$b" --format dot -o "$T/names.dot" 2>"$T/err" &&
        dot -Tsvg "$T/names.dot" -o /dev/null 2>"$T/dot.err" && [ ! -s "$T/dot.err" ] && ok ||
        bad "names.net DOT --block $b: $(head -1 "$T/dot.err")"
done
