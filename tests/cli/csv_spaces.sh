#!/bin/sh
# tests/cli/csv_spaces.sh: spaces and tabs around an unquoted CSV field are part of it (RFC
# 4180), in the inventory's CSV and in observed-use CSV: ids 'a ' and 'a' are two nodes. A
# header's column names are words of the format: padded ('id, kind') they are still read.
# Usage: csv_spaces.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/spaces.db
tab=$(printf '\t')
printf 'id,kind,name\r\na ,partner, padded \r\na,partner,plain\r\n%skey,credential,x\r\n' \
    "$tab" >"$WORK/nodes.csv"
printf 'from,to,kind\r\na ,%skey,holds\r\n' "$tab" >"$WORK/edges.csv"
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "ids that differ by a space were refused: $(cat "$WORK/err")"
"$AP" --db "$db" --at 2026-01-01 inventory --format json >"$WORK/inv.json" \
    || fail "inventory failed"
python3 - "$WORK/inv.json" <<'PY' || fail "spaces around unquoted fields were dropped"
import json, sys
items = {x["id"]: x for x in json.load(open(sys.argv[1]))["inventory"]}
assert set(items) == {"a ", "a", "\tkey"}, sorted(items)
assert items["a "]["name"] == " padded ", items["a "]["name"]
PY
"$AP" --db "$db" --at 2026-01-01 authority 'a ' --format csv | grep -q "key" \
    || fail "'a ' does not hold its key"
# observed use: an actor with a trailing space is that node
printf 'at,actor,target,right\r\n2025-12-01,a ,\tkey,read\r\n' >"$WORK/use.csv"
"$AP" --db "$db" import --as usage "$WORK/use.csv" 2>"$WORK/err" \
    || fail "observed use of 'a ' refused: $(cat "$WORK/err")"
# padded column names: read; a padded kind in a row is its value, refused with the space shown
db2=$WORK/padded.db
printf 'id, kind ,%sname\nq1,partner,Q\n' "$tab" >"$WORK/padded-nodes.csv"
printf 'from , to,kind\n' >"$WORK/padded-edges.csv"
"$AP" --db "$db2" import "$WORK/padded-nodes.csv" "$WORK/padded-edges.csv" 2>"$WORK/err" \
    || fail "a header padded with spaces was refused: $(cat "$WORK/err")"
"$AP" --db "$db2" --at 2026-01-01 inventory --format csv | grep -q '"Q"' \
    || fail "the padded 'name' column was not read"
printf 'at, actor,target ,right\n2025-12-01,q1,q1,read\n' >"$WORK/padded-use.csv"
"$AP" --db "$db2" import --as usage "$WORK/padded-use.csv" 2>"$WORK/err" \
    || fail "an observed-use header padded with spaces was refused: $(cat "$WORK/err")"
printf 'id,kind\nq2, partner\n' >"$WORK/kind-nodes.csv"
if "$AP" --db "$db2" import "$WORK/kind-nodes.csv" "$WORK/padded-edges.csv" 2>"$WORK/err"; then
    fail "a kind with a leading space was imported"
fi
grep -q "kind-nodes.csv:2:5: unknown kind ' partner'" "$WORK/err" \
    || fail "the refusal does not show the space: $(cat "$WORK/err")"
echo ok
