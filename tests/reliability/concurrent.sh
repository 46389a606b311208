#!/bin/sh
# tests/reliability/concurrent.sh: queries while an import writes see the previous snapshot
# whole (WAL), and an import started while another runs waits for it (the store's write wait,
# 30 minutes), so both snapshots land. Usage: concurrent.sh AUTHPATH SRC WORK
. "$(dirname "$0")/common.sh"
db=$WORK/conc.db
big_estate 100000
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "first import"
p1() { "$AP" --db "$db" --snapshot 1 --at 2026-01-01 partners --format csv; }
p1_before=$(p1)

"$AP" --db "$db" import "$WORK/big-nodes.csv" "$WORK/big-edges.csv" 2>"$WORK/big.err" &
big=$!
sleep 0.05
"$AP" --db "$db" import "$SRC/samples/estate.yaml" 2>"$WORK/small.err" &
small=$!
queries=0
# The small import may land before or after the big one (it races the big one for the write
# lock), and either may become visible, whole, as soon as it commits (the process may still be
# exiting): what a reader must never see while an import runs is a changed snapshot 1.
# A query counts when it started while the big import ran. At 100,000 nodes the big import
# takes a second or two, and over 10 s under ASan: the waiting import outlasts the 10 s that
# other statements wait for a lock.
while kill -0 $big 2>/dev/null; do
    now=$(p1) || fail "a query failed while the import ran"
    [ "$now" = "$p1_before" ] || fail "a query saw a changed or partial snapshot 1: $now"
    queries=$((queries + 1))
done
wait $big || fail "the big import: $(cat "$WORK/big.err")"
wait $small || fail "the import that had to wait: $(cat "$WORK/small.err")"
echo "$queries queries while the import ran saw snapshot 1 whole"
[ $queries -ge 1 ] || fail "no query ran during the import"
integrity "$db"
# one CSV row per imported file: count the snapshots
[ "$("$AP" --db "$db" snapshots --format csv | tail -n +2 | cut -d, -f1 | sort -u | wc -l)" = 3 ] \
    || fail "a snapshot is missing"
[ "$(p1)" = "$p1_before" ] || fail "snapshot 1 changed"
