#!/bin/sh
# tests/cli/k8s_bind_namespaces.sh: the Kubernetes reader's bind rule grows with binders plus
# ClusterRoles x namespaces, not their product: KubeHound's attack manifests (tests/data/real)
# copied into 12 and 24 namespaces (tests/reliability/gen_adversarial.py's k8s shape). A role
# that can create RoleBindings and bind any ClusterRole had an admin_of edge to every ClusterRole
# in every namespace: 12 copies made about 80,000 edges, 24 about 640,000 (and 40, 3.4 GB).
# Usage: k8s_bind_namespaces.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"

# copies N > WORK/cN/cluster.yaml, partners.json (scale 3 is 12 copies, 6 is 24)
copies() {
    python3 "$SRC/tests/reliability/gen_adversarial.py" k8s "$(($1 / 4))" "$WORK/c$1" \
        || fail "gen_adversarial.py k8s"
}

# out-degree: the most admin_of edges out of one node that is not a set node (the binders')
out_degree() {
    awk -F'","' 'NR > 1 && $4 == "admin_of" && $2 !~ /^(roles|clusterroles):/ { n[$2]++ }
                 END { m = 0; for (k in n) if (n[k] > m) m = n[k]; print m }' "$1"
}

for n in 12 24; do
    copies $n
    # the bound is the test: quadratic growth fits (12 copies: 6,396 edges; 24: 21,720), cubic not
    max=$((n * n * 70))
    "$AP" --db "$WORK/k$n.db" import "$WORK/c$n/cluster.yaml" --partner-map \
        "$WORK/c$n/partners.json" --max-edges $max 2>"$WORK/err" \
        || fail "$n copies within --max-edges $max: $(tail -n 1 "$WORK/err")"
    "$AP" --db "$WORK/k$n.db" export --format csv --output "$WORK/x$n" || fail "export"
    # a binder reaches each namespace's set node once: at most two per namespace (its Roles,
    # its ClusterRoles), where it had one edge per ClusterRole per namespace
    spaces=$((n + 1))           # ns-0 ... ns-N-1 and vault
    d=$(out_degree "$WORK/x$n-edges.csv")
    [ "$d" -le $((2 * spaces)) ] || fail "$n copies: a binder has $d admin_of edges"
    # the chain through a set node reads as what it is
    "$AP" --db "$WORK/k$n.db" explain tenant0 "clusterrole:node-api-access-1@ns-0" \
        >"$WORK/explain" || fail "explain"
    want="administers clusterroles:\*@ns-0, which administers clusterrole:node-api-access-1@ns-0"
    grep -q "$want" "$WORK/explain" || fail "explain: $(cat "$WORK/explain")"
done

# over a bound, refused as the model is built: at the object being expanded, nothing written
rc=0
"$AP" --db "$WORK/k24.db" import "$WORK/c24/cluster.yaml" --max-edges 1000 2>"$WORK/err" || rc=$?
[ "$rc" -eq 2 ] || fail "over --max-edges: exit $rc, expected 2"
grep -q "^authpath: $WORK/c24/cluster.yaml:[0-9]*:[0-9]*: the Kubernetes input expands to more \
than 1000 nodes or edges (raise --max-nodes or --max-edges if that is expected)$" "$WORK/err" \
    || fail "over --max-edges: $(cat "$WORK/err")"
[ "$(sqlite3 "$WORK/k24.db" "SELECT count(*) FROM snapshot")" = 1 ] \
    || fail "a refused import left a snapshot"
echo ok
