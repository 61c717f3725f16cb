#!/usr/bin/env bash
# tests/install.sh — make install / make uninstall, the man pages, the bash
# completion and the editor grammars.  Run from anywhere:
#     bash tests/install.sh
# It installs into a temporary DESTDIR with PREFIX=/usr, checks every file,
# renders the man pages with warnings on, runs the man pages' examples with
# the installed binary on a copy of the installed samples, exercises the
# completion function, checks that every keyword of grammar/lexer.l is
# highlighted by the Vim and TextMate grammars, and that the words that are
# not reserved (for, in, sum, prod, notation and its words, as, shared) are
# highlighted where their form uses them and nowhere else, then uninstalls
# and checks that no file is left.  The last line is "install: P passed, F
# failed".
# shellcheck disable=SC2016  # the single-quoted scripts get their values as arguments
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
export LC_ALL=C.UTF-8
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}
finish() {
    echo "install: $pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit
}

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$T/dest
P=/usr
# a make started by make (tests/run.sh under make check) must not inherit
# the caller's variables (BIN=pathgrad-asan, CFLAGS...)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make --no-print-directory -C "$ROOT" "$@"; }

# ---- make install ----
if mk install DESTDIR="$D" PREFIX="$P" >"$T/install.log" 2>&1; then
    ok
else
    bad "make install DESTDIR=$D PREFIX=$P failed"
    tail -20 "$T/install.log" | sed 's/^/    /'
    finish
fi

expected=(
    bin/pathgrad
    share/man/man1/pathgrad.1
    share/man/man5/pathgrad-net.5
    share/bash-completion/completions/pathgrad
    share/doc/pathgrad/README.md
    share/doc/pathgrad/LANGUAGE.md
    share/doc/pathgrad/EDITORS.md
    share/vim/vimfiles/syntax/net.vim
    share/vim/vimfiles/ftdetect/net.vim
    share/pathgrad/editors/textmate/net.tmLanguage.json
    share/pathgrad/editors/textmate/package.json
    share/pathgrad/editors/textmate/language-configuration.json
)
for s in samples/*.net samples/*.values; do
    expected+=("share/doc/pathgrad/samples/${s#samples/}")
done
for f in "${expected[@]}"; do
    check "installed: $P/$f" test -f "$D$P/$f"
done
# nothing else was installed
find "$D" -type f -o -type l | sed "s|^$D$P/||" | sort >"$T/got"
printf '%s\n' "${expected[@]}" | sort >"$T/want"
if cmp -s "$T/got" "$T/want"; then ok; else
    bad "make install wrote other files than expected"; diff "$T/want" "$T/got" | sed 's/^/    /'
fi
check "installed binary is executable" test -x "$D$P/bin/pathgrad"
check "installed binary runs" bash -c '"$1" --version | grep -q "^pathgrad "' _ "$D$P/bin/pathgrad"
check "installed completion is identical" cmp -s completion/pathgrad.bash "$D$P/share/bash-completion/completions/pathgrad"
for m in man1/pathgrad.1 man5/pathgrad-net.5; do
    check "$m: paths rewritten to PREFIX" grep -q "$P/share/doc/pathgrad" "$D$P/share/man/$m"
    check "$m: no /usr/local left" bash -c '! grep -q /usr/local "$1"' _ "$D$P/share/man/$m"
done

# ---- man pages render without warnings ----
for m in man1/pathgrad.1 man5/pathgrad-net.5; do
    page=$D$P/share/man/$m
    if command -v man >/dev/null; then
        man --warnings -l "$page" >"$T/man.out" 2>"$T/man.err"
        if [ -s "$T/man.err" ]; then
            bad "man --warnings -l $m"; sed 's/^/    /' "$T/man.err" | head -10
        elif [ ! -s "$T/man.out" ]; then
            bad "man -l $m printed nothing"
        else
            ok
        fi
    else
        echo "SKIP man --warnings -l $m: man is not installed (apt-get install man-db)"
    fi
    if command -v groff >/dev/null; then
        groff -man -ww -z "$page" 2>"$T/groff.err"
        if [ -s "$T/groff.err" ]; then
            bad "groff -man -ww -z $m"; sed 's/^/    /' "$T/groff.err" | head -10
        else
            ok
        fi
    else
        echo "SKIP groff -man -ww -z $m: groff is not installed (apt-get install groff-base)"
    fi
done

# the examples of the man pages, with the installed binary on a copy of the
# installed samples.  examples.py prints one example a record: the command,
# then its expected output if the page shows one, records separated by NUL.
cat >"$T/examples.py" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
mode = sys.argv[2]          # commands | blocks

def unroff(s):
    s = s.replace("\\-", "-").replace("\\(aq", "'").replace("\\(ha", "^")
    s = s.replace("\\(dq", '"').replace("\\e", "\\")
    s = re.sub(r"\\f[BIRP]", "", s)
    return re.sub(r"\\[:%&]", "", s)

body = text.split("\n.SH EXAMPLES\n", 1)[1].split("\n.SH ", 1)[0] if mode == "commands" else text
for block in re.findall(r"^\.EX\n(.*?)^\.EE$", body, re.S | re.M):
    lines = [unroff(l) for l in block.splitlines()]
    if mode == "blocks":
        sys.stdout.write("\n".join(lines) + "\n\0")
        continue
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            cmd, out = line[2:], []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                out.append(lines[i])
                i += 1
            sys.stdout.write(cmd + "\n" + "".join(o + "\n" for o in out) + "\0")
            continue
        if line.startswith("pathgrad "):
            sys.stdout.write(line + "\n\0")
        i += 1
EOF
mkdir -p "$T/run"
cp -r "$D$P/share/doc/pathgrad/samples" "$T/run/"
n=0
while IFS= read -r -d '' rec; do
    cmd=${rec%%$'\n'*}
    want=${rec#*$'\n'}
    n=$((n + 1))
    (cd "$T/run/samples" && PATH="$D$P/bin:$PATH" bash -c "$cmd") >"$T/ex.out" 2>"$T/ex.err"
    rc=$?
    if [ $rc = 2 ] && grep -Eq "unknown (command|option)" "$T/ex.err"; then
        echo "SKIP pathgrad.1 example \`$cmd\`: $(head -1 "$T/ex.err") (not in this build yet)"
    elif [ $rc != 0 ]; then
        bad "pathgrad.1 example \`$cmd\`: exit $rc"; sed 's/^/    /' "$T/ex.err" | head -5
    elif [ -n "$want" ] && [ "$(cat "$T/ex.out")" != "${want%$'\n'}" ]; then
        bad "pathgrad.1 example \`$cmd\`: output differs"; diff <(printf '%s' "$want") "$T/ex.out" | sed 's/^/    /' | head -10
    else
        ok
    fi
done < <(python3 "$T/examples.py" "$D$P/share/man/man1/pathgrad.1" commands)
check "pathgrad.1 has examples ($n)" test "$n" -ge 10

# pathgrad-net.5: every example block is a valid file (networks and graphs),
# or a VALUES file for a graph with inputs a and b
printf 'graph t {\n    input a, b;\n    c = a * b;\n}\n' >"$T/ab.net"
nb=0
i=0
while IFS= read -r -d '' block; do
    i=$((i + 1))
    printf '%s' "$block" >"$T/block$i"
    case $block in
        network\ NAME*|program*) continue ;;   # the synopsis and the grammar
    esac
    if grep -Eq '^(network|graph) ' "$T/block$i"; then
        nb=$((nb + 1))
        if "$D$P/bin/pathgrad" check "$T/block$i" >"$T/ex.out" 2>"$T/ex.err"; then ok; else
            bad "pathgrad-net.5 example $i does not check"; sed 's/^/    /' "$T/ex.err" | head -5
        fi
    elif grep -q 'values' "$T/block$i"; then
        nb=$((nb + 1))
        if "$D$P/bin/pathgrad" eval "$T/ab.net" --values "$T/block$i" >"$T/ex.out" 2>"$T/ex.err"; then ok; else
            bad "pathgrad-net.5 VALUES example $i"; sed 's/^/    /' "$T/ex.err" | head -5
        fi
    fi
done < <(python3 "$T/examples.py" "$D$P/share/man/man5/pathgrad-net.5" blocks)
check "pathgrad-net.5 has a network, a graph and a VALUES example ($nb)" test "$nb" -ge 3
check "pathgrad-net.5 names every keyword" bash -c '
    for k in $(sed -n "s/^\"\([a-z]*\)\"[[:space:]]*{.*/\1/p" grammar/lexer.l); do
        grep -qw "$k" "$1" || { echo "    missing keyword $k"; exit 1; }
    done' _ "$D$P/share/man/man5/pathgrad-net.5"
# the grammar of pathgrad-net(5) is LANGUAGE.md's, production by production
# (blanks collapsed; the ACTIVATION line points elsewhere in each)
cat >"$T/grammar.py" <<'EOF2'
import re, sys
def prods(lines):
    return [re.sub(r"\s+", " ", l).strip() for l in lines
            if l.strip() and not l.startswith("ACTIVATION")]
md = open(sys.argv[1], encoding="utf-8").read()
want = prods(md.split("\n## Grammar\n", 1)[1].split("```\n", 2)[1].splitlines())
man = open(sys.argv[2], encoding="utf-8").read()
block = man.split("\n.SH GRAMMAR\n.EX\n", 1)[1].split("\n.EE\n", 1)[0]
for a, b in (("\\(aq", "'"), ("\\-", "-"), ("\\(ha", "^"), ("\\e", "\\")):
    block = block.replace(a, b)
got = prods(block.splitlines())
if len(want) < 20:
    print("FAIL LANGUAGE.md's grammar has only %d lines" % len(want))
elif got == want:
    print("PASS")
else:
    for l in want:
        if l not in got:
            print("FAIL pathgrad-net(5) GRAMMAR lacks: %s" % l)
    for l in got:
        if l not in want:
            print("FAIL pathgrad-net(5) GRAMMAR has, LANGUAGE.md not: %s" % l)
    if sorted(got) == sorted(want):
        print("FAIL pathgrad-net(5) GRAMMAR: the productions are in another order")
EOF2
while IFS= read -r line; do
    case $line in
        PASS) ok ;;
        FAIL*) bad "${line#FAIL }" ;;
        *) bad "grammar check: $line" ;;
    esac
done < <(python3 "$T/grammar.py" docs/LANGUAGE.md "$D$P/share/man/man5/pathgrad-net.5" 2>&1)
# the words that are not reserved, and the forms that use them
for w in notation xy za out into for in sum prod as shared xent input; do
    check "pathgrad-net(5) names '$w'" grep -qw -- "$w" "$D$P/share/man/man5/pathgrad-net.5"
done
for f in '^\.BI "notation ' '^\.BI "for ' '^\.BI "sum(' '^\.BI "prod(' '^\.SS Indexed names' \
         'at most 64 deep' '20,000,000' '1,000 terms' 'f\\(fm(a)' 'D_i h(a, b)' 'v(1\\-v)'; do
    check "pathgrad-net(5) has '$f'" grep -q -- "$f" "$D$P/share/man/man5/pathgrad-net.5"
done
# every command of --help is in pathgrad.1
check "pathgrad.1 documents every command of --help" bash -c '
    for c in $("$2" --help | sed -n "s/^  \([a-z]*\) .*FILE.*/\1/p"); do
        grep -q "^\.B $c\$" "$1" || { echo "    missing command $c"; exit 1; }
    done' _ "$D$P/share/man/man1/pathgrad.1" "$D$P/bin/pathgrad"
# each command's synopsis in pathgrad.1 lists the options its --help lists
for c in derive expand count check eval paths vanish render fmt report; do
    syn=$(awk -v c="$c" '$0 == ".SY pathgrad" { getline; on = ($0 == ".B " c); next }
                         $0 == ".YS" { on = 0 } on' "$D$P/share/man/man1/pathgrad.1")
    miss=
    for o in $("$D$P/bin/pathgrad" "$c" --help | grep -oE '^  (-o|--[a-z-]+)' | tr -d ' ' | grep -vx -- '--help'); do
        grep -qF -- "${o//-/\\-}" <<<"$syn" || miss="$miss $o"
    done
    if [ -n "$syn" ] && [ -z "$miss" ]; then ok; else bad "pathgrad.1 SYNOPSIS of $c lacks:${miss:- the command}"; fi
done
# --notation: its paragraph names the commands that take it and its words,
# and pathgrad.1 says how a graph's paths are measured and vanish's rows
notation=$(sed -n '/^\.BI \\-\\-notation /,/^\.TP/p' "$D$P/share/man/man1/pathgrad.1")
for w in derive expand render xy za out into; do
    check "pathgrad.1 --notation names '$w'" grep -qw -- "$w" <<<"$notation"
done
for want in 'number of edges' '"length_in"' '"edges"' 'one row a use' '"uses"'; do
    check "pathgrad.1 says '$want'" grep -qF -- "$want" <(sed 's/\\(dq/"/g' "$D$P/share/man/man1/pathgrad.1")
done
check "pathgrad.1 documents every option of --help" bash -c '
    for o in $("$2" --help | grep -oE "^  (-[a-z], )?--?[a-z-]+" | grep -oE -- "--?[a-z-]+"); do
        grep -qF -- "$(printf "%s" "$o" | sed "s/-/\\\\-/g")" "$1" || { echo "    missing option $o"; exit 1; }
    done' _ "$D$P/share/man/man1/pathgrad.1" "$D$P/bin/pathgrad"

# every command's options: the completion offers exactly those that
# 'pathgrad COMMAND --help' lists (main.c's command table)
for c in derive expand count check eval paths vanish render fmt report; do
    want=$("$D$P/bin/pathgrad" "$c" --help | grep -oE '^  (-o|--[a-z-]+)' | tr -d ' ' | grep -vx -- '--help' | sort | tr '\n' ' ')
    got=$(sed -n "s/^ *$c) opts=\"\(.*\)\" ;;/\1/p" completion/pathgrad.bash | tr ' ' '\n' | sort | tr '\n' ' ')
    if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else bad "completion of $c's options: '$got', --help: '$want'"; fi
done

# ---- bash completion ----
cat >"$T/comp.sh" <<'EOF'
. "$1"
cd "$2" || exit 1
c() { # expected (sorted, space separated) then the words; the last is completed
    local want=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _pathgrad pathgrad "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then echo "PASS"; else echo "FAIL completion [$*]: got '$got', want '$want'"; fi
}
complete -p pathgrad | grep -q -- '-F _pathgrad' && echo PASS || echo "FAIL complete -p pathgrad"
c "check count derive eval expand fmt help paths render report slides vanish" pathgrad ""
c "derive" pathgrad de
c "--help --version" pathgrad --
c "-h" pathgrad -h
c "chain.net fc.net fc_dead.net olah.net" pathgrad derive ""
c "fc.net fc_dead.net" pathgrad derive f
c "--block --collapse --env --format --help --latex-names --max-terms --notation --of --stage --standalone --width --wrt" pathgrad derive fc.net --
c "--block --env --format --help --latex-names --node --notation --standalone --width" pathgrad expand fc.net --
c "--help" pathgrad check fc.net --
c "--block --check --format --help --init --of --seed --values" pathgrad eval olah.net --
c "--check --help --in-place" pathgrad fmt fc.net --
c "--block --help --init --katex --seed --values" pathgrad report fc.net --
c "--block --colors --format --help --init --no-labels --no-paths --node --notation --of --only-paths --rankdir --seed --stage --standalone --term --values --view --wrt" pathgrad render fc.net --
c "into out xy xy,into xy,out za za,into za,out" pathgrad derive fc.net --notation ""
c "za za,into za,out" pathgrad expand fc.net --notation z
c "za,into" pathgrad render fc.net --notation za,i
c "into,xy into,za" pathgrad derive fc.net --notation into,
c "" pathgrad derive fc.net --notation q
c "--notation" pathgrad derive fc.net --not
c "--no-labels --no-paths --node --notation" pathgrad render fc.net --no
c "fc.net fc_dead.net" pathgrad derive --notation za f
c "fc.net fc_dead.net" pathgrad render --notation za,into --stage local f
c "derive" pathgrad help de
c "check count derive eval expand fmt paths render report slides vanish" pathgrad help ""
c "" pathgrad help derive ""
c "act chain factored forward local" pathgrad derive fc.net --stage ""
c "factored forward" pathgrad render fc.net --stage f
c "json latex text" pathgrad derive fc.net --format ""
c "json latex text" pathgrad expand fc.net --format ""
c "mathit mathrm plain textbook" pathgrad derive fc.net --latex-names ""
c "dot svg tikz" pathgrad render fc.net --format ""
c "json svg text" pathgrad vanish fc.net --format ""
c "json text" pathgrad eval olah.net --format ""
c "glorot he lecun normal: standard uniform:" pathgrad vanish deep_relu.net --init ""
c "json text" pathgrad paths fc.net --format ""
c "graph network" pathgrad render fc.net --view ""
c "LR TB" pathgrad render fc.net --rankdir ""
c 'align align\* bare equation equation\* multline multline\*' pathgrad derive fc.net --env ""
c 'multline multline\*' pathgrad derive fc.net --env mu
c 'align\*' pathgrad derive fc.net --env 'align\*'
c "olah.net olah.values" pathgrad eval olah.net --values olah
c "fc.net fc_dead.net" pathgrad derive fc.net -o f
c "fc" pathgrad render fc.net --block ""
c "" pathgrad derive fc.net --wrt ""
c "--check --help --in-place" pathgrad fmt --
c "chain.net" pathgrad fmt --check ch
EOF
mkdir -p "$T/comp"
cp samples/fc.net samples/fc_dead.net samples/chain.net samples/olah.net samples/olah.values "$T/comp/"
while IFS= read -r line; do
    case $line in
        PASS) ok ;;
        FAIL*) bad "${line#FAIL }" ;;
        *) bad "completion: $line" ;;
    esac
done < <(bash --norc --noprofile "$T/comp.sh" "$D$P/share/bash-completion/completions/pathgrad" "$T/comp" 2>&1)

# ---- editor grammars ----
mapfile -t keywords < <(sed -n 's/^"\([a-z]*\)"[[:space:]]*{.*/\1/p' grammar/lexer.l)
check "lexer.l has keyword rules (${#keywords[@]})" test "${#keywords[@]}" -ge 12
# the activations and functions of ops.c's table, as --help lists them:
# the editors highlight them, and both man pages and LANGUAGE.md name them
mapfile -t ops < <("$D$P/bin/pathgrad" --help | sed -n 's/^activations: //p; s/^functions: *\([^(]*\) (and.*/\1/p' | tr ' ' '\n' | grep .)
check "--help lists the activations and functions (${#ops[@]})" test "${#ops[@]}" -ge 17
for k in "${ops[@]}"; do
    check "pathgrad-net(5) names '$k'" grep -qw -- "$k" docs/man/pathgrad-net.5
    check "LANGUAGE.md names '$k'" grep -qw -- "$k" docs/LANGUAGE.md
done
keywords+=("${ops[@]}")
vimsyn=$D$P/share/vim/vimfiles/syntax/net.vim
for k in "${keywords[@]}"; do
    check "Vim syntax: keyword '$k' in a 'syn keyword' line" \
        grep -Eq "^syn keyword[[:space:]]+[A-Za-z]+.*[[:space:]]$k([[:space:]]|\$)" "$vimsyn"
done
tm=$D$P/share/pathgrad/editors/textmate
for j in "$tm"/*.json; do
    check "valid JSON: ${j##*/}" python3 -m json.tool "$j" /dev/null
done
# every keyword is matched, as a whole word, by a pattern of the TextMate
# grammar that gives it a keyword, storage or support scope
cat >"$T/tm.py" <<'EOF'
import json, os, re, sys
g = json.load(open(sys.argv[1]))
assert g["scopeName"] == "source.pathgrad-net", g["scopeName"]
rules = []
def walk(p):
    if isinstance(p, dict):
        if "match" in p:
            names = [p.get("name", "")] + [c.get("name", "") for c in p.get("captures", {}).values()]
            rules.append((re.compile(p["match"]), names))
        for v in p.values():
            walk(v)
    elif isinstance(p, list):
        for v in p:
            walk(v)
walk(g)
bad = 0
FUNCTIONS = set(os.environ.get("PG_FUNCTIONS", "").split())   # matched before '(' only
for k in sys.argv[2:]:
    for line in (k, "  %s " % k, "%s;" % k) if k not in FUNCTIONS else ("%s(x)" % k, " %s (a, b)" % k):
        hit = False
        for rx, names in rules:
            m = rx.search(line)
            if m and m.group(0).strip().startswith(k) and any(
                    n.split(".")[0] in ("keyword", "storage", "support") for n in names if n):
                hit = True
                break
        if not hit:
            print("FAIL TextMate grammar: keyword %r (in %r) is not highlighted" % (k, line))
            bad += 1
            break
    else:
        print("PASS")
# comments, numbers and references are scoped too
for text, scope in (("# c", "comment"), ("// c", "comment"), ("1.5e-3", "constant.numeric"),
                    ("42", "constant.numeric")):
    if any(rx.match(text) and any(n.startswith(scope) for n in names) for rx, names in rules):
        print("PASS")
    else:
        print("FAIL TextMate grammar: %r is not scoped %s" % (text, scope))
EOF
while IFS= read -r line; do
    case $line in
        PASS) ok ;;
        FAIL*) bad "${line#FAIL }" ;;
        *) bad "TextMate check: $line" ;;
    esac
done < <(PG_FUNCTIONS="$("$D$P/bin/pathgrad" --help | sed -n 's/^functions: *\([^(]*\) (and.*/\1/p')" \
         python3 "$T/tm.py" "$tm/net.tmLanguage.json" "${keywords[@]}" 2>&1)

# the words that are not reserved are highlighted where their form uses them
# and nowhere else, by the TextMate grammar (a small tokenizer: at each
# position the earliest match, the first rule on a tie; begin/end regions)
# and by Vim if it is installed.  The file is a valid .net file.
cat >"$T/ctx.net" <<'EOF'
network notation {
    layer za : 2;
    layer x2 : 2 input;
    layer h : 2 relu = dense(za) as P + dense(x2) shared W;
    layer as : 1 = dense(h);
    loss L = xent;
    notation za into;
}
graph g {
    input for, in, sum, x[1..5], notation;
    for t in 1..5 {
        h[t] = sum(j in 1..3, x[j]) * prod(k in 2..3, x[k]);
    }
    y = sum + for * in + sum(in, for) + notation + h[5] + 2.5;
}
EOF
# line, word, its occurrence in the line, Vim group, TextMate scope ("-": no
# group, and no keyword, storage or support scope)
cat >"$T/ctx.want" <<'EOF'
1 notation 1 netBlockName entity.name.type.block
2 za 1 netLayerLabel entity.name.label
3 input 1 netStatement keyword.other.statement
4 as 1 netConnWord keyword.other.connection
4 P 1 netFamily variable.other.family
4 shared 1 netConnWord keyword.other.connection
4 W 1 netFamily variable.other.family
5 as 1 netLayerLabel entity.name.label
6 xent 1 netLossKind support.constant.loss
7 notation 1 netNotationWord keyword.other.notation
7 za 1 netNote support.constant.notation
7 into 1 netNote support.constant.notation
10 for 1 - -
10 in 1 - -
10 sum 1 - -
10 .. 1 netRange keyword.operator.range
10 notation 1 - -
11 for 1 netFor keyword.control.loop
11 t 1 netLoopVar variable.other.loop
11 in 1 netIn keyword.control.in
11 .. 1 netRange keyword.operator.range
11 5 1 netNumber constant.numeric.integer
12 sum 1 netBinder support.function.binder
12 j 1 netBinderVar variable.other.loop
12 in 1 netIn keyword.control.in
12 .. 1 netRange keyword.operator.range
12 3 1 netNumber constant.numeric.integer
12 prod 1 netBinder support.function.binder
12 in 2 netIn keyword.control.in
14 sum 1 - -
14 for 1 - -
14 in 1 - -
14 sum 2 netOpaque entity.name.function.opaque
14 in 2 - -
14 notation 1 - -
14 2.5 1 netFloat constant.numeric.float
EOF
cat >"$T/ctx.py" <<'EOF'
import json, os, re, subprocess, sys
grammar, vimrtp, tmp = sys.argv[1:4]
lines = open(os.path.join(tmp, "ctx.net")).read().splitlines()
want = [l.split() for l in open(os.path.join(tmp, "ctx.want")) if l.strip()]

def column(lineno, word, occ):                    # 0-based
    text = lines[lineno - 1]
    rx = re.escape(word) if not word[0].isalnum() else r"(?<!\w)" + re.escape(word) + r"(?!\w)"
    ms = list(re.finditer(rx, text))
    return ms[occ - 1].start() if len(ms) >= occ else None

# ---- TextMate ----
g = json.load(open(grammar))
repo = g["repository"]
def flatten(pats):
    out = []
    for p in pats:
        if "include" in p:
            r = repo[p["include"][1:]]
            out += flatten(r["patterns"]) if "match" not in r and "begin" not in r else [r]
        else:
            out.append(p)
    return out
def paint(scopes, m, base, rule, key):
    if rule.get("name") and key != "beginCaptures":
        for j in range(m.start(), m.end()):
            scopes[j] = base + [rule["name"]]
    for k, c in rule.get(key, {}).items():
        if m.start(int(k)) >= 0 and "name" in c:
            for j in range(m.start(int(k)), m.end(int(k))):
                scopes[j] = scopes[j] + [c["name"]]
def run(line, pats, pos, scopes, base, end=None):
    rules = flatten(pats)
    while pos <= len(line):
        best = None
        if end is not None:
            e = end.search(line, pos)
            if e:
                best = (e.start(), e, None)
        for r in rules:
            m = re.compile(r.get("match") or r["begin"]).search(line, pos)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), m, r)
        if best is None:
            return len(line), None
        start, m, r = best
        if r is None:
            return m.end(), m
        if "match" in r:
            for j in range(m.start(), m.end()):
                scopes[j] = base[:]
            paint(scopes, m, base, r, "captures")
            pos = max(m.end(), m.start() + 1)
        else:
            inner = base + ([r["name"]] if "name" in r else [])
            for j in range(m.start(), m.end()):
                scopes[j] = inner[:]
            paint(scopes, m, inner, r, "beginCaptures")
            p2, em = run(line, r.get("patterns", []), m.end(), scopes, inner, re.compile(r["end"]))
            if em:
                paint(scopes, em, inner, r, "endCaptures")
            pos = max(p2, start + 1)
    return pos, None
tm = []
for text in lines:
    scopes = [[] for _ in text]
    run(text, g["patterns"], 0, scopes, [])
    tm.append(scopes)
for lineno, word, occ, vgroup, scope in want:
    col = column(int(lineno), word, int(occ))
    if col is None:
        print("FAIL context check: no %s #%s on line %s" % (word, occ, lineno))
        continue
    got = [s.replace(".pathgrad-net", "") for s in tm[int(lineno) - 1][col]]
    if scope == "-":
        okay = not any(s.split(".")[0] in ("keyword", "storage", "support") for s in got)
    else:
        okay = any(s == scope or s.startswith(scope + ".") for s in got)
    print("PASS" if okay else "FAIL TextMate grammar: '%s' in line %s (%s) is scoped %s, want %s"
          % (word, lineno, lines[int(lineno) - 1].strip(), got or "nothing", scope))

# ---- Vim ----
if vimrtp:
    script = os.path.join(tmp, "ctx.vim")
    out = os.path.join(tmp, "ctx.vimout")
    with open(script, "w") as f:
        f.write("redir! > %s\n" % out)
        for lineno, word, occ, vgroup, scope in want:
            col = column(int(lineno), word, int(occ))
            f.write('echo "%s " . synIDattr(synID(%s, %d, 1), "name")\n' % (lineno, lineno, (col or 0) + 1))
        f.write("if v:errmsg != '' | echo 'error ' . v:errmsg | endif\nredir END\nqa!\n")
    subprocess.run(["vim", "-Nu", "NONE", "-i", "NONE", "-es", "-c", "set rtp^=" + vimrtp,
                    "-c", "filetype on", "-c", "syntax on", "-c", "e " + os.path.join(tmp, "ctx.net"),
                    "-c", "source " + script], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    got = [l.split() for l in open(out).read().splitlines() if l.strip()] if os.path.exists(out) else []
    for l in got:
        if l[0] == "error":
            print("FAIL Vim: " + " ".join(l))
    got = [l for l in got if l[0] != "error"]
    if len(got) != len(want):
        print("FAIL Vim printed %d groups for %d words" % (len(got), len(want)))
    else:
        for (lineno, word, occ, vgroup, scope), g_ in zip(want, got):
            have = g_[1] if len(g_) > 1 else "-"
            print("PASS" if have == vgroup else "FAIL Vim syntax: '%s' in line %s (%s) is %s, want %s"
                  % (word, lineno, lines[int(lineno) - 1].strip(), have, vgroup))
EOF
check "the context file is valid .net" "$D$P/bin/pathgrad" check "$T/ctx.net" >/dev/null
vimrtp=
if command -v vim >/dev/null && vim --version 2>/dev/null | grep -q '+syntax'; then
    vimrtp=$D$P/share/vim/vimfiles
else
    echo "SKIP Vim context checks: no vim with +syntax (apt-get install vim)"
fi
while IFS= read -r line; do
    case $line in
        PASS) ok ;;
        FAIL*) bad "${line#FAIL }" ;;
        *) bad "context check: $line" ;;
    esac
done < <(python3 "$T/ctx.py" "$tm/net.tmLanguage.json" "$vimrtp" "$T" 2>&1)

# Vim itself, if installed: the syntax loads without an error on every
# sample and gives every keyword a highlight group
if command -v vim >/dev/null && vim --version 2>/dev/null | grep -q '+syntax'; then
    kwfile=$T/keywords.net
    printf '%s\n' "${keywords[@]}" >"$kwfile"
    for f in samples/*.net "$kwfile"; do
        vim -Nu NONE -i NONE -es \
            -c "set rtp^=$D$P/share/vim/vimfiles" -c 'filetype on' -c 'syntax on' \
            -c "e $f" \
            -c 'redir! > '"$T/vim.out" \
            -c 'echo "ft=" . &ft . " syntax=" . get(b:, "current_syntax", "")' \
            -c 'for l in range(1, line("$")) | let n = synIDattr(synID(l, 1, 1), "name") | if getline(l) =~ "^\\a" && n == "" | echo "unhighlighted " . getline(l) | endif | endfor' \
            -c 'if v:errmsg != "" | echo "error " . v:errmsg | endif' \
            -c 'redir END' -c 'qa!' </dev/null >/dev/null 2>&1
        if grep -q 'ft=net syntax=net' "$T/vim.out" 2>/dev/null && ! grep -Eq '^(error|unhighlighted)' "$T/vim.out"; then
            ok
        else
            bad "vim on ${f##*/}:"; { cat "$T/vim.out"; echo; } 2>/dev/null | grep -v '^$' | sed 's/^/    /' | head -5
        fi
    done
else
    echo "SKIP vim checks: no vim with +syntax (apt-get install vim)"
fi

# ---- make uninstall ----
if mk uninstall DESTDIR="$D" PREFIX="$P" >"$T/uninstall.log" 2>&1; then
    ok
else
    bad "make uninstall failed"; tail -10 "$T/uninstall.log" | sed 's/^/    /'
fi
left=$(find "$D" ! -type d)
if [ -z "$left" ]; then ok; else bad "files left after uninstall:"; printf '%s\n' "$left" | sed 's/^/    /'; fi
for d in share/doc/pathgrad share/pathgrad; do
    check "uninstall removed $P/$d" test ! -e "$D$P/$d"
done
# uninstalling twice is harmless
check "make uninstall twice" mk uninstall DESTDIR="$D" PREFIX="$P" >/dev/null 2>&1

finish
