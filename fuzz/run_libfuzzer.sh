#!/usr/bin/env bash
# run_libfuzzer.sh — run one libFuzzer harness for a while and report.
#
#   fuzz/run_libfuzzer.sh NAME SECONDS [extra libFuzzer options]
#
# Runs fuzz/out/fuzz_NAME (built by 'make fuzz-build') single-process on
# fuzz/work/NAME (the growing corpus, seeded from fuzz/corpus/NAME), with
# crashes, leaks and timeouts written to fuzz/artifacts/NAME-*.  The log goes
# to fuzz/logs/NAME.log; the last line printed is
#     fuzz NAME: EXECS execs in SECS s (EXECS/s), corpus N, findings: K
# Exit status: 0 without findings, 1 with.
set -u
cd "$(dirname "$0")/.." || exit 2
name=$1 secs=$2
shift 2
bin=fuzz/out/fuzz_$name
[ -x "$bin" ] || { echo "run_libfuzzer.sh: $bin is missing: make fuzz-build" >&2; exit 2; }
mkdir -p "fuzz/work/$name" fuzz/artifacts fuzz/logs
log=fuzz/logs/$name.log
dict=()
case $name in pipeline | fmt) dict=(-dict=fuzz/net.dict) ;; esac
# Graphviz leaks a little on every drawing, which makes libFuzzer run a full
# LeakSanitizer scan after each input (10x slower): the pipeline fuzzes with
# leak detection off, then replays its whole corpus once with it on
leaks=1
maxlen=${FUZZ_MAX_LEN:-4096}
[ "$name" = values ] && maxlen=${FUZZ_MAX_LEN:-512}
[ "$name" = pipeline ] && leaks=${FUZZ_LEAKS_INLINE:-0}
before=$(ls fuzz/artifacts | grep -c "^$name-" || true)
start=$(date +%s)
stamp=$(mktemp)
# leaks in Graphviz itself are suppressed (fuzz/lsan.supp)
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$bin" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$name-" \
    -detect_leaks=$leaks "${dict[@]}" "$@" "fuzz/work/$name" "fuzz/corpus/$name" >"$log" 2>&1
rc=$?
if [ "$rc" = 0 ] && [ "$leaks" = 0 ]; then
    # the inputs this run added (FUZZ_LEAK_ALL=1: the whole corpus)
    rm -rf "fuzz/work/$name.new"
    mkdir -p "fuzz/work/$name.new"
    if [ "${FUZZ_LEAK_ALL:-0}" = 1 ]; then
        cp "fuzz/work/$name"/* "fuzz/work/$name.new/" 2>/dev/null
    else
        find "fuzz/work/$name" -type f -newer "$stamp" -exec cp {} "fuzz/work/$name.new/" \;
    fi
    echo "== leak pass over $(ls "fuzz/work/$name.new" | wc -l) inputs ==" >>"$log"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0} \
    "$bin" -runs=0 -detect_leaks=1 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
        -artifact_prefix="fuzz/artifacts/$name-" "fuzz/work/$name.new" >>"$log" 2>&1
    rc=$?
    rm -rf "fuzz/work/$name.new"
fi
rm -f "$stamp"
end=$(date +%s)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -1)
[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
[ -n "$execs" ] || execs=$(grep -o '#[0-9]*' "$log" | tail -1 | tr -d '#')
execs=${execs:-0}
after=$(ls fuzz/artifacts | grep -c "^$name-" || true)
ncorp=$(ls "fuzz/work/$name" | wc -l)
t=$((end - start)); [ "$t" -gt 0 ] || t=1
found=$((after - before))
if [ "$rc" != 0 ] && [ "$found" = 0 ]; then found=1; fi
if [ "$found" != 0 ]; then
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written|fuzz target exited|roundtrip' "$log" | head -20
fi
echo "fuzz $name: $execs execs in $t s ($((execs / t))/s), corpus $ncorp, findings: $found (exit $rc, log $log)"
[ "$found" = 0 ]
