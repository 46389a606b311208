#!/bin/sh
# tests/reliability/issue17_repro.sh: issue 17's reproducers, each within 10 CPU-s and 1 GiB, at
# the issue's sizes and at N=2000 (gen_shapes.awk), one row per command with its cost printed.
# Arguments: AUTHPATH SRC WORK [SANITIZED] [NAMELEN]. Run in the plain tree (SANITIZED=0: memory
# capped with ulimit -v); by hand under the sanitizers with 1 (the peak RSS from /usr/bin/time,
# as hostile_shapes.sh measures it under ASan). NAMELEN is the long name's bytes (default 100,000,000, the issue's 100 MB).
. "$(dirname "$0")/common.sh"
SAN=${4:-0}
NAMELEN=${5:-100000000}
LIMIT_KB=1048576
SECS=10
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "skipped: no /usr/bin/time"; exit 0; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
failures=0

# run DB ARGS...: one reproducer within the budget (CPU by ulimit -t, a wall-clock guard of
# 120 s against a hang); prints its CPU seconds (user+sys) and peak RSS
run() {
    db=$1
    shift
    budgeted "$WORK/$db.db" "$@"
    printf '%-58s rc=%d %6.2f CPU-s %5d MiB %9d bytes out\n' "$db $*" $rc "$cpu" \
        $((rss / 1024)) "$size"
    if [ "$rc" -ne 0 ] || [ "$rss" -gt $LIMIT_KB ]; then
        echo "  OVER BUDGET (10 CPU-s, 1 GiB): $(head -c 300 "$WORK/err")"
        failures=$((failures + 1))
    fi
}

# shape NAME N [AWK ARGS]: generate and import WORK/NAME-N.db
shape() {
    name=$1 n=$2
    shift 2
    awk -v shape="$name" -v n="$n" -v nodes="$WORK/nodes.csv" -v edges="$WORK/edges.csv" \
        "$@" -f "$SRC/tests/reliability/gen_shapes.awk"
    "$AP" --db "$WORK/$name-$n.db" import "$WORK/nodes.csv" "$WORK/edges.csv" \
        >/dev/null 2>"$WORK/err" || fail "cannot import $name N=$n: $(cat "$WORK/err")"
    rm -f "$WORK/nodes.csv" "$WORK/edges.csv"
}

# a cycle of N identities: paths grew as N^3, --max-depth 3 too (N=1000: 52 s)
for n in 1000 2000; do
    shape cycle $n
    run cycle-$n paths p0
    run cycle-$n paths p0 --max-depth 3
done
# a loop of N partners: findings (N=200 out of memory), delegation (N=500: 432 MB at 2.4 GB),
# what-if --revoke (N=500: 24 s)
shape loop 200
run loop-200 findings
for n in 500 2000; do
    [ $n = 500 ] && shape loop 500
    [ $n = 2000 ] && shape loop 2000
    run loop-$n findings
    run loop-$n delegation
    run loop-$n delegation --format json
    run loop-$n what-if q5 --revoke c0
    run loop-$n what-if q5 --revoke c0 --format json
    run loop-$n what-if --until 2027-01-01 --format json
done
# the loop at 10,000: authority --format svg (15.8 GB)
shape loop 10000
run loop-10000 authority q5 --format svg
# the cycle and the loop together at 30k nodes (n=10,000: 3n+3 nodes): offboard (18 GB)
shape both 10000
run both-10000 offboard p0
# the choke points' search is bounded: past AP_OFFBOARD_CHOKE_STEPS it says so, lists none
grep -q "not computed: the chains to the targets are too deep" "$WORK/out" || {
    echo "  offboard p0 on both-10000 does not say its choke points were not computed"
    failures=$((failures + 1)); }
# a partner's name of NAMELEN bytes: authority --format svg (100 MB: 14 GB)
shape longname 1 -v namelen="$NAMELEN"
run longname-1 authority p0 --format svg
[ "$failures" -eq 0 ] || fail "$failures reproducers over budget"
echo "every reproducer of issue 17 within ${SECS} CPU-s and 1 GiB"
