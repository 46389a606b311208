#!/bin/sh
# tests/cli/paths_hub.sh: `paths PARTNER` over a hub's fan: each target's search steps only
# towards the target (the in-edges of its ball), not through the whole fan once per target and
# per length, so every target's answer is complete within the work bound (it was cut short,
# "truncated", for each of them, and 50,000 targets took over a minute). Its diagram is cut
# down to a page without laying out what cannot fit one (10,000 targets took Graphviz past its
# 10 s CPU limit, exit 3, before the fit could cut them down).
# Usage: paths_hub.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/hub.db
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity\np,partner,\nk,credential,\nhub,identity,\n")
    e.write("from,to,kind,rights\np,k,holds,\nk,hub,authenticates_as,\n")
    for r in range(10000):
        n.write("r%04d,resource,confidential\n" % r)    # paths lists sensitive targets
        e.write("hub,r%04d,access,read\n" % r)
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
(ulimit -t 20; "$AP" --db "$db" --at 2026-01-01 paths p --format json >"$WORK/paths.json") \
    2>"$WORK/err" || fail "paths: $(cat "$WORK/err")"
python3 - "$WORK/paths.json" <<'PY' || fail "targets of the hub left incomplete"
import json, sys
doc = json.load(open(sys.argv[1]))
sets = doc["targets"] if "targets" in doc else doc["paths"]
assert len(sets) == 10000, len(sets)
bad = [s for s in sets if s.get("truncated") or not s.get("complete", True)]
assert not bad, "%d of 10000 truncated" % len(bad)
assert all(len(s["paths"]) == 1 for s in sets)
PY
(ulimit -t 20; "$AP" --db "$db" --at 2026-01-01 paths p --format dot >"$WORK/paths.dot") \
    2>"$WORK/err" || fail "paths --format dot: $(cat "$WORK/err")"
grep -q 'cut down to an A3 page: [0-9]* of 10000 chains drawn' "$WORK/paths.dot" \
    || fail "the hub's diagram does not say it was cut down"
echo ok
