#!/bin/sh
# tests/cli/refused_fresh_db.sh: an import refused into a database that did not exist leaves no
# database behind (the database "exactly as it was" is none); into an existing one it leaves
# that database as it was, byte for byte.
# Usage: refused_fresh_db.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/fresh.db
rm -f "$db" "$db-wal" "$db-shm" "$db-journal" "$db-graph"
printf 'id,kind\np1,partner\n' >"$WORK/nodes.csv"
printf 'from,to,kind\np1,nowhere,holds\n' >"$WORK/edges.csv"
if "$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err"; then
    fail "an edge to an unknown node was imported"
fi
grep -q "edges.csv:2:" "$WORK/err" || fail "no FILE:LINE in the refusal: $(cat "$WORK/err")"
for f in "$db" "$db-wal" "$db-shm" "$db-journal" "$db-graph"; do
    [ ! -e "$f" ] || fail "the refused import left $f behind"
done
# an existing database: kept as it was
printf 'from,to,kind\n' >"$WORK/ok-edges.csv"
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/ok-edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
cp "$db" "$WORK/before.db"
if "$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err"; then
    fail "an edge to an unknown node was imported into the existing database"
fi
cmp -s "$db" "$WORK/before.db" || fail "the refused import changed the existing database"
echo ok
