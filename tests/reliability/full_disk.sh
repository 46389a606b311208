#!/bin/sh
# tests/reliability/full_disk.sh: an import that runs out of room (a file size limit stands
# in for a full disk: ulimit -f, SIGXFSZ ignored so writes fail with EFBIG) fails with a
# clear message and leaves the previous snapshot whole; a first import too names the reason.
# Usage: full_disk.sh AUTHPATH SRC WORK
. "$(dirname "$0")/common.sh"
db=$WORK/full.db
big_estate 15000
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "first import"
before=$(state "$db")
size=$(stat -c %s "$db")
rc=0
# 512-byte blocks: room for what is there and a little more, not for the new snapshot
(trap '' XFSZ; ulimit -f $((size / 512 + 64)); \
 exec "$AP" --db "$db" import "$WORK/big-nodes.csv" "$WORK/big-edges.csv") \
    2>"$WORK/err" || rc=$?
cat "$WORK/err"
[ $rc -ne 0 ] || fail "the import succeeded without room"
[ $rc -ne 137 ] && [ $rc -lt 128 ] || fail "the import died (status $rc) instead of failing"
grep -q "^authpath: .*\(disk\|full\|I/O\)" "$WORK/err" || fail "no clear message"
[ "$(wc -l <"$WORK/err")" = 1 ] || fail "more than one line of error"
integrity "$db"
[ "$(state "$db")" = "$before" ] || fail "the previous snapshot changed"

# A first import (no database yet) that runs out of room names the OS reason too, and leaves
# no snapshot behind.
fresh=$WORK/fresh.db
rc=0
(trap '' XFSZ; ulimit -f 40; exec "$AP" --db "$fresh" import "$SRC/samples/estate.json") \
    2>"$WORK/err" || rc=$?
cat "$WORK/err"
[ $rc = 3 ] || fail "a first import without room: exit $rc"
grep -q "^authpath: .*(File too large)$" "$WORK/err" || fail "the first import names no reason"
[ ! -e "$fresh" ] || [ "$("$AP" --db "$fresh" snapshots --format csv | wc -l)" -le 1 ] \
    || fail "a snapshot survived the failed first import"
