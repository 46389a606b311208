#!/bin/sh
# tests/cli/diff_json_stream.sh: `diff --format json` is written a row at a time: 100 partners
# losing 2,001 targets each (200,100 authority rows, 29 MB of JSON) took 321 MB built as one
# document first (a hub's estate: 3.5 GB for 390 MB); streamed, the peak follows one row. The
# bytes are the same as the whole document's (Python's json.load reads them, rows counted). The
# CSV is written a row at a time too.
# Usage: diff_json_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/diff.db
rm -f "$db" "$db-graph"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/n.csv", "w") as n, open(w + "/e1.csv", "w") as e1, open(w + "/e2.csv", "w") as e2:
    n.write("id,kind,sensitivity\nhub,identity,\n")
    for e in (e1, e2):
        e.write("from,to,kind,rights\n")
    for r in range(2000):
        n.write("r%04d,resource,confidential\n" % r)
        for e in (e1, e2):
            e.write("hub,r%04d,access,read\n" % r)
    for p in range(100):
        n.write("p%03d,partner,\nk%03d,credential,\n" % (p, p))
        for e in (e1, e2):
            e.write("p%03d,k%03d,holds,\n" % (p, p))
        e1.write("k%03d,hub,authenticates_as,\n" % p)   # gone in the second snapshot
PY
"$AP" --db "$db" import "$WORK/n.csv" "$WORK/e1.csv" 2>"$WORK/err" || fail "import 1: $(cat "$WORK/err")"
"$AP" --db "$db" import "$WORK/n.csv" "$WORK/e2.csv" 2>"$WORK/err" || fail "import 2: $(cat "$WORK/err")"
# the peak is judged in the plain build: AddressSanitizer's quarantine keeps freed memory
sanitized=0
ldd "$AP" 2>/dev/null | grep -q libasan && sanitized=1
python3 - "$AP" "$db" "$WORK/diff.json" "$sanitized" <<'PY' || fail "diff JSON not streamed"
import json, resource, subprocess, sys
ap, db, out, sanitized = sys.argv[1:5]
with open(out, "wb") as f:
    subprocess.run([ap, "--db", db, "--at", "2026-01-01", "diff", "1", "2", "--format", "json"],
                   stdout=f, check=True)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
doc = json.load(open(out))
assert len(doc["authority"]) == 200100, len(doc["authority"])   # 2,000 resources and the hub
assert doc["nodes"] == [] and len(doc["edges"]) == 100, (doc["nodes"], len(doc["edges"]))
# the importer ran as a child too, but before: only the peak of all children is known, and
# the imports of this small estate stay far below the whole document's 321 MB
assert sanitized == "1" or peak_mib < 150, "peak %.0f MiB" % peak_mib
PY
# the CSV alike, a row at a time: 87 MiB as one table, 26 MiB streamed; the bytes the table's
python3 "$SRC/tests/cli/stream_check.py" 35aa8e5403be80d3adbdb2c9a3037734 60 "$WORK/diff.csv" \
    "$AP" --db "$db" --at 2026-01-01 diff 1 2 --format csv || fail "diff CSV not streamed"
# whole or not at all: where no temporary file can be made, nothing is printed
rc=0
TMPDIR=$WORK/no-such-dir "$AP" --db "$db" --at 2026-01-01 diff 1 2 --format json \
    >"$WORK/none.json" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 3 ] || fail "exit $rc without a temporary file"
[ ! -s "$WORK/none.json" ] || fail "$(wc -c <"$WORK/none.json") bytes printed without one"
grep -q "^authpath: cannot make a temporary file for the answer" "$WORK/err" \
    || fail "no message: $(cat "$WORK/err")"
echo ok
