#!/bin/sh
# tests/cli/paths_depended_hub.sh: `paths` through a hub that every resource it grants depends
# on. The depends_on edges are never traversed, yet every target's search read the hub's 20,000
# in-edges, and at every route length its 20,000 out-edges: 25 CPU-s for 20,000 targets of one
# route each (4.1 s at 4,000, 43 s at 40,000). Each search now reads only the in-edges a route
# may take (one list per reached node, made once): 0.1 CPU-s, the same bytes.
# Usage: paths_depended_hub.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 0 "$WORK" || fail "generator"
"$AP" --db "$WORK/w.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
limit=3                         # CPU seconds; the sanitizer tree is about 10 times slower
ldd "$AP" 2>/dev/null | grep -q 'libasan' && limit=20
/usr/bin/time -f "%U %S" -o "$WORK/cpu" timeout -s KILL 120 "$AP" --db "$WORK/w.db" \
    --at 2026-01-01 paths p00 --format csv >"$WORK/out.csv" 2>"$WORK/err" \
    || fail "paths: $(cat "$WORK/err")"
cpu=$(tail -1 "$WORK/cpu" | awk '{ print $1 + $2 }')
awk -v cpu="$cpu" -v limit="$limit" 'BEGIN { exit !(cpu <= limit) }' \
    || fail "paths p00 took $cpu CPU-s (bound $limit)"
# every resource: its one route, p00 -holds-> k00 -authenticates_as-> hub -access-> r, whole
python3 - "$WORK/out.csv" <<'PY' || fail "the routes"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 20000, len(rows)
for r in rows:
    assert (r["PATH"], r["HOPS"], r["RIGHTS"]) == ("1", "3", "read|write"), r
    assert r["CHAIN"] == "p00 -holds-> k00 -authenticates_as-> hub -access-> " + r["TARGET"], r
PY
# and the search is complete: it read 20,000 in-edges, then 20,000 out-edges at each length
# past the shortest, and stopped at its work bound (64,512) short of an answer
"$AP" --db "$WORK/w.db" --at 2026-01-01 paths p00 --to r00001 --format json \
    >"$WORK/one.json" 2>"$WORK/err" || fail "paths --to: $(cat "$WORK/err")"
python3 - "$WORK/one.json" <<'PY' || fail "one target's answer"
import json, sys
t, = json.load(open(sys.argv[1]))["targets"]
assert len(t["paths"]) == 1 and t["complete"] and not t["truncated"], t
PY
echo "paths through a depended-on hub: $cpu CPU-s"
