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
chain=$(python3 "$SRC/tests/cli/one_chain.py" "$WORK/e.out" p) || fail "no chain from p"
case " $chain" in
    *" i>r "*" r>x" | *" i>r r>x") ;;
    *) fail "the chain does not carry the mint right from p to the grant: $chain" ;;
esac
echo "the mint grant's chain runs from p through its key to r, then the grant"
