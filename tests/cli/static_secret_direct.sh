#!/bin/sh
# tests/cli/static_secret_direct.sh: static-secret shows the partner's direct chain to the
# secret it owns (other partners blocked), and its whole authority's chain when the direct one
# does not carry what the authenticates_as edge passes.
# Usage: static_secret_direct.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
estate() {  # $1: the authenticates_as edge's rights, $2: the rights i2 holds c with
    cat <<JSON
{"format": "authpath/1", "nodes": [
 {"id": "p", "kind": "partner"},
 {"id": "q", "kind": "partner"},
 {"id": "k", "kind": "credential", "type": "certificate", "static": false, "domain": "p"},
 {"id": "i1", "kind": "identity"}, {"id": "i2", "kind": "identity"},
 {"id": "c", "kind": "credential", "type": "api_key", "domain": "p"},
 {"id": "t", "kind": "identity"}
], "edges": [
 {"from": "p", "to": "q", "kind": "subcontractor_of"},
 {"from": "q", "to": "c", "kind": "holds"},
 {"from": "p", "to": "k", "kind": "holds"},
 {"from": "k", "to": "i1", "kind": "authenticates_as"},
 {"from": "i1", "to": "i2", "kind": "can_assume"},
 {"from": "i2", "to": "c", "kind": "holds", "rights": $2},
 {"from": "c", "to": "t", "kind": "authenticates_as", "rights": $1}
]}
JSON
}
check() {   # $1: case, $2: the path wanted, as "a>b c>d ..."
    rule_json "$1" static-secret
    chain=$(python3 "$SRC/tests/cli/one_chain.py" "$WORK/$1.out" p) || fail "$1: no chain"
    [ "$chain" = "$2" ] || fail "$1: the chain is $chain, not $2"
}
estate '"all"' '"all"' >"$WORK/direct.json"
check direct "p>k k>i1 i1>i2 i2>c c>t"
estate '["write"]' '["read"]' >"$WORK/whole.json"
check whole "p>q q>c c>t"
echo "p's own secret: its direct chain; when that carries only read, the chain through q"
