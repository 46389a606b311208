#!/bin/sh
# tests/cli/item_path_rights.sh: offboarding's and what-if's reached items say what their
# chain carries ("path_rights"; text: "[read]" after the chain, as authority does) when no one
# chain brings all the item's rights: r is held with read and write over two parallel edges,
# and its chain printed "r (read, write) through p > k > i > r", which carries read only.
# Usage: item_path_rights.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/items.db
printf 'id,kind,sensitivity,expires\np,partner,,\nq,partner,,\nk,credential,,2026-06-01\n' \
    >"$WORK/nodes.csv"
printf 'kq,credential,,\ni,identity,,\nr,resource,critical,\n' >>"$WORK/nodes.csv"
cat >"$WORK/edges.csv" <<'CSV'
from,to,kind,rights
p,k,holds,
q,p,subcontractor_of,
q,kq,holds,
k,i,authenticates_as,
kq,i,authenticates_as,
i,r,access,read
i,r,access,write
CSV
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
q() { "$AP" --db "$db" --at 2026-01-01 "$@"; }
q what-if p --until 2027-01-01 --format json >"$WORK/until.json" || fail "what-if --until"
q what-if p --revoke k --format json >"$WORK/revoke.json" || fail "what-if --revoke"
q offboard p --format json >"$WORK/off.json" || fail "offboard"
python3 - "$WORK" <<'PY' || fail "an item's chain is shown as carrying rights it does not"
import json, sys
w = sys.argv[1]
def items(doc, key):
    out = []
    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get(key), list):
                out.extend(i for i in x[key] if isinstance(i, dict) and i.get("id") == "r")
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(doc)
    return out
checks = [("until.json", "lapses"), ("revoke.json", "lost"), ("off.json", "residual")]
for name, key in checks:
    got = items(json.load(open(w + "/" + name)), key)
    assert got, "%s: no %s item for r" % (name, key)
    for it in got:
        assert it["rights"] == ["read", "write"], (name, it["rights"])
        assert it.get("path_rights") in (["read"], ["write"]), (name, it.get("path_rights"))
PY
for f in until revoke off; do
    python3 "$SRC/tests/reliability/adv_check.py" chains "$WORK" 2026-01-01 "$WORK/$f.json" \
        >"$WORK/check" || fail "$f: a chain does not carry its path_rights: $(head -3 "$WORK/check")"
done
q offboard p >"$WORK/off.txt" || fail "offboard text"
grep -q 'r (read, write) through .* \[\(read\|write\)\]' "$WORK/off.txt" \
    || fail "offboard text does not say what the chain carries: $(grep ' r (' "$WORK/off.txt")"
q what-if p --until 2027-01-01 >"$WORK/until.txt" || fail "what-if --until text"
grep -q 'r (read, write) through .* \[\(read\|write\)\]' "$WORK/until.txt" \
    || fail "what-if text does not say what the chain carries"
echo ok
