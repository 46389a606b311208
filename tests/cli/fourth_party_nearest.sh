#!/bin/sh
# tests/cli/fourth_party_nearest.sh: fourth-party-sensitive shows the chain to the nearest of a
# partner's most sensitive targets held only through others, not the first the kernel settles.
# Usage: fourth_party_nearest.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
cat >"$WORK/e.json" <<'JSON'
{"format": "authpath/1", "nodes": [
 {"id": "p", "kind": "partner"},
 {"id": "q", "kind": "partner"},
 {"id": "r1", "kind": "role"}, {"id": "r2", "kind": "role"}, {"id": "r3", "kind": "role"},
 {"id": "a_far", "kind": "resource", "sensitivity": "critical"},
 {"id": "z_near", "kind": "resource", "sensitivity": "critical"},
 {"id": "m_less", "kind": "resource", "sensitivity": "restricted"}
], "edges": [
 {"from": "p", "to": "q", "kind": "subcontractor_of"},
 {"from": "q", "to": "r1", "kind": "access", "rights": ["read"]},
 {"from": "r1", "to": "r2", "kind": "can_assume"},
 {"from": "r2", "to": "r3", "kind": "can_assume"},
 {"from": "r3", "to": "a_far", "kind": "access", "rights": ["read"]},
 {"from": "q", "to": "m_less", "kind": "access", "rights": ["read"]},
 {"from": "r1", "to": "z_near", "kind": "access", "rights": ["read"]}
]}
JSON
rule_json e fourth-party-sensitive
chain=$(python3 "$SRC/tests/cli/one_chain.py" "$WORK/e.out" p) || fail "no chain from p"
[ "$chain" = "p>q q>r1 r1>z_near" ] \
    || fail "the chain does not go to the nearest critical target: $chain"
echo "p's chain goes to z_near, the nearest of its critical targets, through q"
