#!/bin/sh
# tests/cli/chain_edge_rights.sh: a finding about an edge shows a chain from its partner that
# carries what the edge passes, even when the partner first reaches the edge's tail with less
# (the chain's run stopped at that round and showed the edge alone, not from the partner).
# Usage: chain_edge_rights.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
cat >"$WORK/e.json" <<'JSON'
{"format": "authpath/1", "nodes": [
 {"id": "p", "kind": "partner"},
 {"id": "k", "kind": "credential", "type": "api_key", "domain": "p"},
 {"id": "i", "kind": "identity", "domain": "p"},
 {"id": "r", "kind": "role"},
 {"id": "x", "kind": "resource", "sensitivity": "restricted"}
], "edges": [
 {"from": "p", "to": "r", "kind": "access", "rights": ["read"]},
 {"from": "p", "to": "k", "kind": "holds"},
 {"from": "k", "to": "i", "kind": "authenticates_as"},
 {"from": "i", "to": "r", "kind": "member_of"},
 {"from": "r", "to": "x", "kind": "access", "rights": ["mint"]}
]}
JSON
rule_json e partner-can-mint
python3 - "$WORK/e.out" <<'PY' || fail "the chain does not carry the mint right from p"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert len(f) == 1, f
ev = f[0]["evidence"]
steps = [(s["from"], s["to"]) for s in ev["path"]]
assert ev["partner"] == "p" and steps[0][0] == "p", steps
assert all(steps[i][1] == steps[i + 1][0] for i in range(len(steps) - 1)), steps
assert steps[-1] == ("r", "x") and ("i", "r") in steps, steps
PY
echo "the mint grant's chain runs from p through its key to r, then the grant"
