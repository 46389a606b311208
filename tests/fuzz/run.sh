#!/bin/bash
# tests/fuzz/run.sh: run the libFuzzer targets of a fuzz tree (`make fuzz`). Each runs
# FUZZ_SECONDS (default 60), FUZZ_JOBS at a time (default 2), from its seeds, its regressions
# and what earlier runs kept (BUILD/fuzz-corpus/NAME); crashes go to BUILD/fuzz-crashes/NAME.
# Usage: run.sh BUILD [TARGET...]   (no TARGET: every fuzz_* binary in BUILD/tests/fuzz)
set -eu
BUILD=$1
shift
SRC=$(cd "$(dirname "$0")" && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
if [ $# -eq 0 ]; then
    set -- $(cd "$BUILD/tests/fuzz" && ls fuzz_* | grep -v replay | sed 's/^fuzz_//')
fi

one() {     # one target, its log in BUILD/fuzz-NAME.log and a one-line summary on stdout
    t=$1
    mkdir -p "$BUILD/fuzz-corpus/$t" "$BUILD/fuzz-crashes/$t"
    dict=""
    for d in "$SRC/dict/$t.dict" "$SRC/dict/${t%%_*}.dict"; do
        if [ -f "$d" ]; then dict="-dict=$d"; break; fi
    done
    dirs="$BUILD/fuzz-corpus/$t $SRC/corpus/$t"
    [ -d "$SRC/regressions/$t" ] && dirs="$dirs $SRC/regressions/$t"
    rc=0
    # Leaks are not hunted here (Graphviz's caches would make libFuzzer scan the heap after
    # every input): the replay under ASan in `make test` checks the corpora for leaks.
    ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:max_malloc_fill_size=0} \
    "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 -detect_leaks=0 \
        -artifact_prefix="$BUILD/fuzz-crashes/$t/" $dict $dirs >"$BUILD/fuzz-$t.log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/fuzz-$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$BUILD/fuzz-$t.log")
    last=$(grep -E '^#[0-9]+' "$BUILD/fuzz-$t.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
    crashes=$(ls "$BUILD/fuzz-crashes/$t" | wc -l)
    echo "$t: rc=$rc runs=${runs:-?} execs/s=${rate:-?} ${last:-cov: ?} crashes=$crashes"
    return 0
}

for t in "$@"; do echo "$t"; done | {
    running=0
    while read -r t; do
        one "$t" &
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then
            wait -n
            running=$((running - 1))
        fi
    done
    wait
}
