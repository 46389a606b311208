#!/bin/sh
# tests/cli/finding_rights.sh: a finding's rights at its target are what the chain it shows
# carries there, not all the partner holds through other chains (docs/design.md: no chain
# claims more than it carries), replayed by adv_check.py; an unattributable write shows a chain
# that writes. Usage: finding_rights.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
# p's shortest chain to r reads through the unlogged u; the write comes one step later, through
# the logged w, still through u. p's contract has ended.
printf 'id,kind,logged,contract_ends,sensitivity\np,partner,,2025-01-01,\nk,credential,,,\nu,identity,false,,\nw,identity,true,,\nr,resource,,,critical\n' \
    >"$WORK/nodes.csv"
printf 'from,to,kind,rights\np,k,holds,\nk,u,authenticates_as,\nu,r,access,read\nu,w,can_assume,\nw,r,access,write|admin\n' \
    >"$WORK/edges.csv"
"$AP" --db "$WORK/f.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$WORK/f.db" --at 2026-01-01 findings --format json >"$WORK/f.json" 2>"$WORK/err" \
    || fail "findings: $(cat "$WORK/err")"
python3 "$SRC/tests/reliability/adv_check.py" chains "$WORK" 2026-01-01 "$WORK/f.json" \
    >"$WORK/bad" || fail "a finding claims more than its chain: $(cat "$WORK/bad")"
python3 - "$WORK/f.json" <<'PY' || fail "the findings are not the ones expected"
import json, sys
by = {f["rule"]: f for f in json.load(open(sys.argv[1]))["findings"]}
u = by["unattributable-write"]
assert u["subject"] == "u", u["subject"]
assert [s["to"] for s in u["evidence"]["path"]] == ["k", "u", "w", "r"], u["evidence"]["path"]
assert u["evidence"]["facts"]["rights"] == "write, admin", u["evidence"]["facts"]
e = by["partner-ended-live"]
assert e["evidence"]["facts"]["target"] == "r" and e["evidence"]["facts"]["rights"] == "read", \
    e["evidence"]["facts"]
PY
echo "findings claim what their chains carry"
