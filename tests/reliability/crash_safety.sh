#!/bin/sh
# tests/reliability/crash_safety.sh: an import killed mid-way (SIGKILL: as sudden as a power
# cut is for the process) leaves the database at its previous snapshot, whole, and passing
# PRAGMA integrity_check; the next import works. Usage: crash_safety.sh AUTHPATH SRC WORK
. "$(dirname "$0")/common.sh"
db=$WORK/crash.db
big_estate 200000
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "first import"
before=$(state "$db")

# Kill while the files are read and staged, then as soon as the commit writes the WAL.
for moment in staging commit; do
    "$AP" --db "$db" import "$WORK/big-nodes.csv" "$WORK/big-edges.csv" 2>/dev/null &
    pid=$!
    if [ $moment = staging ]; then
        sleep 0.2
    else
        while kill -0 $pid 2>/dev/null && [ ! -s "$db-wal" ]; do
            sleep 0.005
        done
    fi
    kill -9 $pid 2>/dev/null || fail "$moment: the import ended before it could be killed"
    wait $pid && fail "$moment: the killed import reported success"
    integrity "$db"
    after=$(state "$db")
    if [ "$after" != "$before" ]; then
        # the kill came after COMMIT: then the new snapshot must be there whole
        snaps=$("$AP" --db "$db" snapshots --format csv | wc -l)
        nodes=$("$AP" --db "$db" --at 2026-01-01 partners --format csv | wc -l)
        [ "$snaps" = 3 ] && [ "$nodes" = 20001 ] \
            || fail "$moment: neither the previous snapshot nor the new one whole"
        echo "$moment: killed after the commit; snapshot 2 is whole"
        exit 0
    fi
    echo "$moment: killed; the database is at snapshot 1, whole"
done

# The database takes the next import as if nothing had happened.
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "import after the kills"
integrity "$db"
[ "$("$AP" --db "$db" snapshots --format csv | wc -l)" = 3 ] || fail "snapshot 2 missing"
