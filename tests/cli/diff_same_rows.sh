#!/bin/sh
# tests/cli/diff_same_rows.sh: `diff A B` of two snapshots that hold the same rows says so
# without loading either graph (two graphs of a million nodes held 1.9 GB to find nothing; 165
# MiB here before, 11 MiB now), in each format, while snapshots that differ still show what
# changed, either way round. The peak is judged in the plain tree only (ASan keeps memory).
# Usage: diff_same_rows.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
SRC=$(cd "$SRC" && pwd)
AP=$(cd "$(dirname "$AP")" && pwd)/$(basename "$AP")
cd "$WORK" || fail "no work directory"
python3 "$SRC/tests/cli/gen_access.py" 10 3000 300000 2 . || fail "cannot write the estate"
"$AP" --db w.db import nodes.csv edges.csv 2>/dev/null || fail "first import"
"$AP" --db w.db import nodes.csv edges.csv 2>/dev/null || fail "second import"
head -n -1 edges.csv > fewer.csv        # the third drops the last access edge
"$AP" --db w.db import nodes.csv fewer.csv 2>/dev/null || fail "third import"
lost=$(tail -n 1 edges.csv | cut -d, -f2,3 | tr , ' ')
set -- $lost
from=$1
to=$2

peak() {    # peak resident KiB of one command, its stdout to out.txt
    python3 -c 'import resource, subprocess, sys
with open("out.txt", "wb") as f:
    subprocess.run(sys.argv[1:], check=True, stdout=f)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$AP" --db w.db "$@" \
        || fail "$* failed"
}
same=$(peak diff 1 2)
printf 'Snapshot 1 -> 2\n\nNodes: 0 changes\n\nEdges: 0 changes\n\nAuthority: 0 changes\n' \
    | cmp -s - out.txt || fail "diff 1 2: $(cat out.txt)"
peak diff 2 1 --format csv > /dev/null
[ "$(tr -d '\r' < out.txt)" = '"SECTION","CHANGE","ID","KIND","FROM","TO","FIELDS","BEFORE","AFTER"' ] \
    || fail "diff 2 1 as CSV: $(cat out.txt)"
peak diff 1 2 --format json > /dev/null
python3 -c 'import json, sys
d = json.load(open("out.txt"))
sys.exit(not (d["from"] == 1 and d["to"] == 2 and d["nodes"] == d["edges"] == d["authority"] == []))' \
    || fail "diff 1 2 as JSON: $(cat out.txt)"
# snapshots that differ: the edge dropped, and the authority it carried
changed=$(peak diff 2 3)
grep -q "^Edges: 1 change$" out.txt || fail "diff 2 3: $(cat out.txt)"
grep -q "removed.*$from.*$to" out.txt || fail "diff 2 3 names no removed $from -> $to edge"
peak diff 3 1 > /dev/null
grep -q "^Edges: 1 change$" out.txt && grep -q "added.*$from.*$to" out.txt \
    || fail "diff 3 1: $(cat out.txt)"
echo "diff of the same rows: peak $same KiB; of snapshots that differ: $changed KiB"
if ! ldd "$AP" 2>/dev/null | grep -q 'libasan'; then
    [ "$same" -lt $(( changed / 4 )) ] \
        || fail "diff of the same rows loaded the graphs: $same KiB (differing: $changed KiB)"
fi
echo ok
