#!/usr/bin/env bash
# tests/latex_check.sh — the LaTeX pathgrad writes compiles.
#
# Every sample's `derive --standalone` (at stage local, or factored where
# the expansion is over --max-terms), its factored and collapsed forms, and
# `expand --standalone` where the file has expand statements, go through
# pdflatex; so does fc.net's output in each --env, pasted into a minimal
# document.  Each PDF's first page becomes a PNG under $LATEX_PNG_DIR (if
# set) for looking at.  A compile with an error, an undefined control
# sequence or a missing PDF fails.  Without pdflatex the checks are skipped
# with a message (CI installs texlive-latex-base).
# Last line: "latex: P passed, F failed".
set -u
cd "$(dirname "$0")/.." || exit 2
PG=${PATHGRAD:-./pathgrad}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL latex: $*"; }

if ! command -v pdflatex >/dev/null; then
    echo "latex: skipped: pdflatex is not installed (Debian package texlive-latex-base)"
    echo "latex: 0 passed, 0 failed"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# compile NAME.tex in $T; PNG of page 1 to $LATEX_PNG_DIR
compile_now() { # name what
    local name=$1 what=$2
    # LATEX_COMPILE=0 (the sanitizer run): pathgrad wrote it; pdflatex has
    # already been seen to compile the same text in the plain run
    if [ "${LATEX_COMPILE:-1}" = 0 ]; then
        [ -s "$T/$name.tex" ] && grep -q '\\end{' "$T/$name.tex" && ok || bad "$what: no document"
        return
    fi
    if ! (cd "$T" && timeout 120 pdflatex -halt-on-error -interaction=nonstopmode "$name.tex" >"$name.stdout" 2>&1); then
        bad "$what: pdflatex failed: $(grep -m1 -A2 '^!' "$T/$name.stdout" | tr '\n' ' ')"
        return
    fi
    if [ ! -s "$T/$name.pdf" ]; then
        bad "$what: no PDF"
        return
    fi
    if grep -q "Undefined control sequence\|Missing \$ inserted" "$T/$name.log"; then
        bad "$what: $(grep -m1 'Undefined control\|Missing' "$T/$name.log")"
        return
    fi
    # nothing runs off the page: every line fits the measure
    if grep -q "^Overfull \\\\hbox" "$T/$name.log"; then
        bad "$what: $(grep -m1 '^Overfull' "$T/$name.log")"
        return
    fi
    if [ -n "${LATEX_PNG_DIR:-}" ] && command -v pdftoppm >/dev/null; then
        mkdir -p "$LATEX_PNG_DIR"
        pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$T/$name.pdf" "$LATEX_PNG_DIR/$name"
    fi
    ok
}

# the same in the background, two at a time (pdflatex is most of this
# script's time); each job's verdict goes to $T/res.NAME, tallied at the end
compile() { # name what
    if [ "${LATEX_COMPILE:-1}" = 0 ]; then
        compile_now "$@"
        return
    fi
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
    (
        pass=0 fail=0
        compile_now "$@"
        echo "COUNT $pass $fail"
    ) >"$T/res.$1" 2>&1 &
}

for f in samples/*.net; do
    b=$(basename "$f" .net)
    # files without derive statements: the loss with respect to the first
    # weight of the first layer
    wrt=()
    grep -q "derive" "$f" || wrt=(--wrt "w[$(grep -m1 -o '^ *layer [A-Za-z0-9_+-]*' "$f" | tr -s ' ' | awk '{print $2}')][1][1]")
    if "$PG" derive "$f" "${wrt[@]}" --standalone -o "$T/$b.tex" 2>"$T/err"; then
        compile "$b" "$f derive --standalone"
    elif grep -q "max-terms" "$T/err"; then
        ok      # over the bound: the factored form below is the document
    else
        bad "$f: derive --standalone: $(head -1 "$T/err")"
    fi
    "$PG" derive "$f" "${wrt[@]}" --standalone --stage factored -o "$T/${b}_factored.tex" 2>"$T/err" &&
        compile "${b}_factored" "$f --stage factored --standalone" ||
        { [ -s "$T/err" ] && bad "$f factored: $(head -1 "$T/err")"; }
    # --collapse: every network; a graph where its paths are few enough
    if "$PG" derive "$f" "${wrt[@]}" --standalone --collapse -o "$T/${b}_collapse.tex" 2>"$T/err"; then
        compile "${b}_collapse" "$f --collapse --standalone"
    elif grep -q "^network" "$f" && ! grep -q "max-terms" "$T/err"; then
        bad "$f --collapse: $(head -1 "$T/err")"     # over the bound: refused, with a message
    fi
    if grep -q "expand" "$f"; then
        "$PG" expand "$f" --standalone -o "$T/${b}_expand.tex" 2>"$T/err" &&
            compile "${b}_expand" "$f expand --standalone" || bad "$f expand: $(head -1 "$T/err")"
    fi
done

# render --format tikz: every small sample's drawing as a TikZ picture, a
# page the size of the drawing, no overfull box; and one pasted into an
# article of one's own (tikz and arrows.meta loaded there)
if kpsewhich tikz.sty >/dev/null 2>&1; then
    for f in samples/circuit.net samples/chain.net samples/resblock.net samples/bptt.net samples/micrograd.net \
        samples/fc.net; do
        b=$(basename "$f" .net)_tikz
        vals=()
        [ -f "${f%.net}.values" ] && vals=(--values "${f%.net}.values")
        for view in graph network; do
            grep -q "^network" "$f" || [ "$view" = graph ] || continue
            if "$PG" render "$f" --view "$view" --format tikz --standalone "${vals[@]}" -o "$T/${b}_$view.tex" \
                2>"$T/err"; then
                compile_now "${b}_$view" "$f render --format tikz --view $view"
                [ "${LATEX_COMPILE:-1}" = 0 ] || ! grep -q "Overfull" "$T/${b}_$view.log" && ok ||
                    bad "$f tikz: overfull: $(grep -m1 Overfull "$T/${b}_$view.log")"
            else
                bad "$f render --format tikz: $(head -1 "$T/err")"
            fi
        done
    done
    {
        printf '\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n\\usetikzlibrary{arrows.meta}\n\\begin{document}\n'
        printf 'A circuit:\n\n\\noindent\\resizebox{\\linewidth}{!}{%%\n'
        "$PG" render samples/circuit.net --values samples/circuit.values --format tikz
        printf '}\n\\end{document}\n'
    } >"$T/tikz_pasted.tex"
    compile tikz_pasted "render --format tikz pasted into an article"
else
    echo "latex: tikz.sty is missing (Debian package texlive-pictures): TikZ drawings not compiled"
fi

# slides: a Beamer talk, a frame a path plus a title and an all-paths frame
if kpsewhich beamer.cls >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1; then
    for spec in "samples/fc.net w[n-2][1][1]" "samples/circuit.net x" "samples/resblock.net y[in][1]" \
        "samples/bptt.net w"; do
        read -r f wrt <<<"$spec"
        n=$("$PG" count "$f" --wrt "$wrt" | awk '{print $NF}')
        b=$(basename "$f" .net)_slides
        if "$PG" slides "$f" --wrt "$wrt" -o "$T/$b.tex" 2>"$T/err"; then
            compile_now "$b" "$f slides"
            if [ "${LATEX_COMPILE:-1}" != 0 ] && command -v pdfinfo >/dev/null; then
                pages=$(pdfinfo "$T/$b.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
                [ "$pages" = $((n + 2)) ] && ok || bad "$f slides: $pages pages, expected $((n + 2)) ($n paths)"
                ! grep -q "Overfull" "$T/$b.log" && ok || bad "$f slides: $(grep -m1 Overfull "$T/$b.log")"
            fi
        else
            bad "$f slides: $(head -1 "$T/err")"
        fi
    done
else
    echo "latex: beamer.cls or tikz.sty is missing (texlive-latex-recommended, texlive-pictures): slides not compiled"
fi

# long lines: a 10-deep Nielsen chain (notation za into), Mazur's 2-2-2
# network (each of two terms a long product), a 12-deep sigmoid chain with
# a wide last layer; at every stage, collapsed, and in every --env
mk_chain() { # depth width-of-last notation
    local d=$1 wl=$2
    echo "network chain {"
    echo "    layer l0 : 1;"
    for ((i = 1; i < d; i++)); do echo "    layer l$i : 1 sigmoid;"; done
    echo "    layer l$d : $wl sigmoid;"
    echo "    loss C = mse;"
    [ -n "$3" ] && echo "    notation $3;"
    echo "}"
}
mk_chain 10 1 "za into" >"$T/nielsen.net"
mk_chain 12 6 "" >"$T/chain12.net"
printf 'network mazur {\n    layer i : 2;\n    layer h : 2 sigmoid bias;\n    layer o : 2 sigmoid bias;\n    loss E_total = mse;\n}\n' >"$T/mazur.net"
for spec in "nielsen w[l0][1][1]" "chain12 w[l0][1][1]" "mazur w[i][1][1]"; do
    read -r b wrt <<<"$spec"
    for stage in chain local factored; do
        if "$PG" derive "$T/$b.net" --wrt "$wrt" --stage "$stage" --standalone -o "$T/long_${b}_$stage.tex" 2>"$T/err"; then
            compile "long_${b}_$stage" "$b --stage $stage --standalone"
        else
            bad "$b --stage $stage: $(head -1 "$T/err")"
        fi
    done
    "$PG" derive "$T/$b.net" --wrt "$wrt" --collapse --standalone -o "$T/long_${b}_collapse.tex" 2>"$T/err" &&
        compile "long_${b}_collapse" "$b --collapse --standalone" || bad "$b --collapse: $(head -1 "$T/err")"
    for env in equation 'equation*' align multline 'multline*'; do
        n="long_${b}_${env/\*/star}"
        {
            printf '\\documentclass[11pt]{article}\n\\usepackage[a4paper,margin=2cm]{geometry}\n'
            printf '\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n'
            "$PG" derive "$T/$b.net" --wrt "$wrt" --stage factored --env "$env" 2>&1
            printf '\\end{document}\n'
        } >"$T/$n.tex"
        compile "$n" "$b --env $env"
    done
done
# --width: a narrow column of one's own (a two-column paper's 240 pt)
{
    printf '\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\textwidth=240pt\n\\begin{document}\n'
    "$PG" derive samples/fc.net --wrt 'w[n-2][1][1]' --env 'align*' --width 240pt 2>&1
    "$PG" derive "$T/nielsen.net" --wrt 'w[l0][1][1]' --env 'align*' --width 240pt 2>&1
    "$PG" derive samples/lstm.net --stage factored --env 'align*' --width 240pt 2>&1
    printf '\\end{document}\n'
} >"$T/narrow.tex"
compile narrow "--width 240pt in a 240 pt column"
# names as long as a name may be (200 characters): a symbol wider than the
# page cannot break, and the standalone document scales it to fit
q=$(printf 'Q%.0s' $(seq 1 200))
printf 'graph g {\n    input a, %s;\n    z = a * %s * exp(a) * %s + a * a * %s;\n    derive z wrt a;\n    derive z wrt %s;\n}\n' \
    "$q" "$q" "$q" "$q" "$q" >"$T/longname.net"
"$PG" derive "$T/longname.net" --standalone -o "$T/longname.tex" 2>"$T/err" &&
    compile longname "a 200-character name, --standalone" || bad "longname: $(head -1 "$T/err")"
# the breaks keep the formula: the rows joined again are the unbroken line
a=$("$PG" derive "$T/nielsen.net" --wrt 'w[l0][1][1]' --width none | tr -d '\n ')
z=$("$PG" derive "$T/nielsen.net" --wrt 'w[l0][1][1]' --width 200pt | sed 's/ *\\\\$//; s/^\\cdot //' | tr -d '\n ')
[ -n "$a" ] && [ "$a" = "$z" ] && ok || bad "--width 200pt changed the formula, not only its lines"
[ "$("$PG" derive "$T/nielsen.net" --wrt 'w[l0][1][1]' --width none | wc -l)" = 1 ] && ok ||
    bad "--width none broke a line"
[ "$("$PG" derive "$T/nielsen.net" --wrt 'w[l0][1][1]' --width 200pt | wc -l)" -ge 4 ] && ok ||
    bad "--width 200pt did not break the chain into rows"

# every --env, pasted into a document of one's own
for env in bare equation 'equation*' align 'align*' multline 'multline*'; do
    for stage in local factored; do
        n="env_${env/\*/star}_$stage"
        {
            printf '\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n'
            [ "$env" = bare ] && printf '\\begin{multline*}\n'
            # bare is one derivation's lines, for the user's own environment
            if [ "$env" = bare ]; then
                "$PG" derive samples/fc.net --wrt 'w[n-2][1][1]' --env bare 2>&1
            else
                "$PG" derive samples/fc.net --stage "$stage" --env "$env" 2>&1
            fi
            [ "$env" = bare ] && printf '\\end{multline*}\n'
            printf '\\end{document}\n'
        } >"$T/$n.tex"
        if [ "$env" = bare ] && [ "$stage" = factored ]; then
            continue    # several equations: bare is for one's own environment per line
        fi
        compile "$n" "fc.net --env $env --stage $stage"
    done
done

# names with underscores and names that are TeX command words, in each style
for style in plain mathit mathrm; do
    "$PG" derive tests/hostile/names.net --standalone --latex-names "$style" -o "$T/names_$style.tex" 2>"$T/err" &&
        compile "names_$style" "tests/hostile/names.net --latex-names $style" || bad "names $style: $(head -1 "$T/err")"
done

# a file name full of LaTeX specials is printed as text, not obeyed
cp samples/chain.net "$T/a_b%c&d#e\$f{g}h~i^j\\k.net"
if "$PG" derive "$T/a_b%c&d#e\$f{g}h~i^j\\k.net" --standalone -o "$T/hostile.tex" 2>"$T/err"; then
    compile hostile "a file name with every LaTeX special"
    grep -q 'a\\_b\\%c\\&d\\#e\\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k' "$T/hostile.tex" &&
        ok || bad "the hostile file name is not escaped: $(grep texttt "$T/hostile.tex")"
else
    bad "hostile name: $(head -1 "$T/err")"
fi

wait
for r in "$T"/res.*; do
    [ -e "$r" ] || continue
    grep -v '^COUNT ' "$r"
    read -r _ p f < <(grep '^COUNT ' "$r" || echo "COUNT 0 1")
    pass=$((pass + p)) fail=$((fail + f))
done
echo "latex: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
