#!/bin/sh
# tests/cli/offboard_long_chains.sh: offboarding's items (residual, collateral, shared
# credentials) cut a chain longer than 16 steps to its first and last 8, as what-if's do
# ("path_omitted"; text "[N more steps]"): whole chains made the list grow with the depth too, and
# a partner on a 300-partner ring wrote 357 MB of JSON. What is printed still replays.
# Usage: offboard_long_chains.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/deep.db
python3 "$SRC/tests/reliability/gen_adversarial.py" deep 10 "$WORK/est" || fail "generator"
"$AP" --db "$db" import "$WORK/est/nodes.csv" "$WORK/est/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$db" --at 2026-01-01 offboard p0 --all --format json >"$WORK/off.json" \
    || fail "offboard json"
python3 - "$WORK/off.json" <<'PY' || fail "an offboarding item prints a chain of more than 16 steps"
import json, sys
doc = json.load(open(sys.argv[1]))
cut = 0
for key in ("residual", "collateral"):
    for it in doc[key]:
        assert len(it["path"]) <= 16, (key, it["id"], len(it["path"]))
        cut += "path_omitted" in it
assert cut > 0, "no chain was long enough to be cut: the shape no longer tests it"
PY
python3 "$SRC/tests/reliability/adv_check.py" chains "$WORK/est" 2026-01-01 "$WORK/off.json" \
    >"$WORK/check" || fail "a chain does not replay: $(head -3 "$WORK/check")"
"$AP" --db "$db" --at 2026-01-01 offboard p0 >"$WORK/off.txt" || fail "offboard text"
grep -q '\[[0-9]* more steps\]' "$WORK/off.txt" || fail "text chains are not cut"
echo ok
