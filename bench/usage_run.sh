#!/bin/sh
# bench/usage_run.sh: streaming import of observed use, measured once: N generated CloudTrail
# records (bench/usage_events.py) into the drift fixture's snapshot; wall time, CPU seconds,
# peak RSS and the load average beside them (the machine is shared).
# usage: bench/usage_run.sh BUILD_DIR N [WORK_DIR]
set -eu
build=$1
n=$2
work=${3:-/tmp/authpath-usage-bench}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
events=$work/events-$n.jsonl
[ -s "$events" ] || python3 "$top/bench/usage_events.py" "$n" > "$events"
rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
"$build/authpath" --db "$work/bench.db" import "$top/tests/fixtures/usage/estate.json" 2>/dev/null
ls -l "$events"
uptime
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
    "$build/authpath" --db "$work/bench.db" import --as usage "$events"
uptime
ls -l "$work/bench.db"
