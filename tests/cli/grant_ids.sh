#!/bin/sh
# tests/cli/grant_ids.sh: what-if --grant names any node: ids that begin or end with spaces,
# that hold the grant's own separator (" -access[read]-> "), and ids of 64 KiB; a grant that
# reads two ways is refused as ambiguous, never one reading guessed.
# Usage: grant_ids.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/ids.db
python3 - "$WORK" <<'PY'
import csv, sys
w = sys.argv[1]
big = "H" * 65536
nodes = [(" p ", "partner"), ("k", "credential"), ("i", "identity"),
         ("t -access[read]-> ", "resource"), (big, "resource"),
         ("a", "identity"), ("a -access-> b", "identity"), ("b", "resource"),
         ("b -access-> c", "resource"), ("c", "resource")]
edges = [(" p ", "k", "holds"), ("k", "i", "authenticates_as")]
with open(w + "/nodes.csv", "w", newline="") as f:
    csv.writer(f).writerows([("id", "kind")] + nodes)
with open(w + "/edges.csv", "w", newline="") as f:
    csv.writer(f).writerows([("from", "to", "kind")] + edges)
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
big=$(python3 -c 'print("H" * 65536)')

# grant SPEC FROM TO: the grant is read with those ends
grant() {
    "$AP" --db "$db" --at 2026-01-01 what-if ' p ' --grant "$1" --format json >"$WORK/out" \
        2>"$WORK/err" || fail "grant '$(echo "$1" | cut -c1-60)': $(cut -c1-300 "$WORK/err")"
    python3 - "$WORK/out" "$2" "$3" <<'PY' || fail "grant '$(echo "$1" | cut -c1-60)' misread"
import json, sys
g, = json.load(open(sys.argv[1]))["grants"]
assert (g["from"], g["to"]) == (sys.argv[2], sys.argv[3]), (g["from"][:40], g["to"][:40])
PY
}
grant ' p  -access[read]-> t -access[read]-> ' ' p ' 't -access[read]-> '
grant 'i -access[read]-> t -access[read]-> ' 'i' 't -access[read]-> '
grant "i -access[read]-> $big" i "$big"
grant 'i -access-> b' i b

# "a -access-> b -access-> c" is a -> "b -access-> c" and "a -access-> b" -> c
rc=0
"$AP" --db "$db" --at 2026-01-01 what-if ' p ' --grant 'a -access-> b -access-> c' \
    >"$WORK/out" 2>"$WORK/err" || rc=$?
[ "$rc" = 2 ] && [ ! -s "$WORK/out" ] && grep -q "^authpath: ambiguous grant" "$WORK/err" \
    || fail "an ambiguous grant: exit $rc, $(cat "$WORK/err")"
echo "grants name any id"
