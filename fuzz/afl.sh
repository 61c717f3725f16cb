#!/usr/bin/env bash
# afl.sh — AFL++ on pathgrad's command line.
#
#   FUZZ_SECONDS=60 bash fuzz/afl.sh [-- pathgrad arguments, @@ for the file]
#
# Builds pathgrad with afl-clang-fast (UBSan on, traps) into fuzz/build-afl,
# binary fuzz/out/pathgrad-afl, then runs afl-fuzz for FUZZ_SECONDS on the
# seed corpus fuzz/corpus/pipeline (built by 'make fuzz-corpus') with the
# dictionary fuzz/net.dict.  The default command is
#     pathgrad-afl derive @@ --stage local --max-terms 50 -o /dev/null
# Findings: fuzz/afl/out/default/crashes and hangs (a run longer than
# FUZZ_AFL_TIMEOUT ms, default 5000).  The last line printed is
#     fuzz afl: EXECS execs in SECS s (EXECS/s), corpus N, crashes C, hangs H
# Exit status: 0 without crashes or hangs, 1 with.
# Debian: apt-get install -y afl++ clang
set -u
cd "$(dirname "$0")/.." || exit 2
secs=${FUZZ_SECONDS:-60}
args=(derive @@ --stage local --max-terms 50 -o /dev/null)
if [ "${1:-}" = "--" ]; then shift; args=("$@"); fi
AFLCC=${AFL_CC_BIN:-$(command -v afl-clang-fast || command -v afl-cc)}
[ -n "$AFLCC" ] && command -v afl-fuzz >/dev/null ||
    { echo "afl.sh: afl++ is not installed (apt-get install -y afl++ clang)" >&2; exit 2; }
set -e
AFL_USE_UBSAN=1 AFL_QUIET=1 make --no-print-directory BUILD=fuzz/build-afl BIN=fuzz/out/pathgrad-afl \
    CC="$AFLCC" WERROR= CFLAGS="-O2 -g" fuzz/out/pathgrad-afl >/dev/null
[ -d fuzz/corpus/pipeline ] || python3 fuzz/make_corpus.py fuzz/corpus
# AFL wants small seeds: the ones under 8 KB
rm -rf fuzz/afl/in
mkdir -p fuzz/afl/in fuzz/afl/out
find fuzz/corpus/pipeline -type f -size -8k -exec cp {} fuzz/afl/in/ \;
set +e
AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
AFL_NO_AFFINITY=1 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
    afl-fuzz -i fuzz/afl/in -o fuzz/afl/out -x fuzz/net.dict -m none \
    -t "${FUZZ_AFL_TIMEOUT:-5000}" -V "$secs" -- fuzz/out/pathgrad-afl "${args[@]}" \
    >fuzz/afl/afl.log 2>&1
rc=$?
st=fuzz/afl/out/default/fuzzer_stats
stat() { sed -n "s/^$1 *: *//p" "$st" 2>/dev/null | head -1; }
execs=$(stat execs_done) t=$(stat run_time) corpus=$(stat corpus_count)
crashes=$(stat saved_crashes) hangs=$(stat saved_hangs)
[ -n "$crashes" ] || crashes=$(stat unique_crashes)
[ -n "$hangs" ] || hangs=$(stat unique_hangs)
execs=${execs:-0} t=${t:-0} crashes=${crashes:-0} hangs=${hangs:-0}
[ "$t" -gt 0 ] 2>/dev/null || t=1
[ "$rc" = 0 ] || tail -20 fuzz/afl/afl.log
echo "fuzz afl: $execs execs in $t s ($((execs / t))/s), corpus ${corpus:-?}, crashes $crashes, hangs $hangs" \
     "(afl-fuzz exit $rc, findings in fuzz/afl/out/default/{crashes,hangs})"
[ "$rc" = 0 ] && [ "$crashes" = 0 ] && [ "$hangs" = 0 ]
