#!/bin/sh
# tests/cli/narrow_hub.sh: what-if --narrow-to-observed over a hub of 50,000 access edges and no
# observed use: with no use to keep, every step is taken without deriving the graph again (a
# derivation of the whole graph per edge took 41 CPU-s on 50,000 edges), and every right goes.
# Then with one use to keep: only the edges that can change a kept use's authority (from what
# its actor reaches, into what can reach its target) are tried (over 60 CPU-s before).
# Usage: narrow_hub.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/hub.db
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
rights = ["read", "write", "delete", "admin"]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity\np,partner,\nk,credential,\nhub,identity,\n")
    e.write("from,to,kind,rights\np,k,holds,\nk,hub,authenticates_as,\n")
    for r in range(50000):
        n.write("r%05d,resource,internal\n" % r)
        e.write("hub,r%05d,access,%s\n" % (r, "|".join(rights[: 1 + r % 4])))
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
secs=10                 # about 1 CPU-s each now; the sanitizer tree about 10
ldd "$AP" 2>/dev/null | grep -q 'libasan' && secs=60
(ulimit -t $secs; "$AP" --db "$db" --at 2026-01-01 what-if p --narrow-to-observed --format json \
    >"$WORK/narrow.json") 2>"$WORK/err" || fail "narrow: $(cat "$WORK/err")"
python3 - "$WORK/narrow.json" <<'PY' || fail "the narrowing is not what was expected"
import json, sys
doc = json.load(open(sys.argv[1]))
changes = doc["changes"]
assert len(changes) >= 50000, len(changes)
hub = [c for c in changes if c["from"] == "hub"]
assert len(hub) == 50000, len(hub)
assert all(c["action"] == "revoke" for c in hub), "a hub edge kept rights nobody used"
PY
printf 'at,actor,target,right,ok,id\n2025-12-01T08:00:00Z,hub,r00007,write,,u-1\n' \
    >"$WORK/events.csv"
"$AP" --db "$db" import "$WORK/events.csv" 2>"$WORK/err" || fail "events: $(cat "$WORK/err")"
(ulimit -t $secs; "$AP" --db "$db" --at 2026-01-01 what-if p --narrow-to-observed --format json \
    >"$WORK/narrow.json") 2>"$WORK/err" || fail "narrow with a use: $(cat "$WORK/err")"
python3 - "$WORK/narrow.json" <<'PY' || fail "the narrowing with a use is not what was expected"
import json, sys
doc = json.load(open(sys.argv[1]))
hub = {c["to"]: c for c in doc["changes"] if c["from"] == "hub"}
assert len(hub) == 50000, len(hub)
kept = hub.pop("r00007")
assert kept["action"] == "reduce" and kept["after"] == ["write"], kept
assert all(c["action"] == "revoke" for c in hub.values()), "an unused right stayed"
PY
echo ok
