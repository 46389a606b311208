#!/bin/sh
# tests/cli/k8s_long_names.sh: Kubernetes names longer than Kubernetes allows (253 bytes;
# namespaces 63) are refused at their place rather than cut to fit the ids built from them:
# two resourceNames of 1,191 bytes sharing their first 1,190 were one grant, the second
# resource left with none. Names at the limit import whole, each its own node and grant.
# Usage: k8s_long_names.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/k8s.db
manifest() { # NAME_LENGTH NAMESPACE_LENGTH ROLE_NAME_LENGTH > yaml
    python3 - "$@" <<'PY'
import sys
n, ns, rn = (int(x) for x in sys.argv[1:4])
name = "a" * (n - 1)
print("""apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: %(ns)s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: %(rn)s, namespace: %(ns)s}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["%(name)s1", "%(name)s2"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bind, namespace: %(ns)s}
subjects: [{kind: ServiceAccount, name: bot, namespace: %(ns)s}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: %(rn)s}""" %
      {"name": name, "ns": "n" * ns, "rn": "r" * rn})
PY
}
manifest 253 63 253 >"$WORK/ok.yaml"
"$AP" --db "$db" import "$WORK/ok.yaml" 2>"$WORK/err" || fail "names at the limit: $(cat "$WORK/err")"
"$AP" --db "$db" export --format csv --output "$WORK/x" || fail "export"
n=$(grep -c '|access|' "$WORK/x-edges.csv")
[ "$n" -eq 2 ] || fail "$n access edges for two resource names (expected 2)"
before=$(sqlite3 "$db" "SELECT count(*) FROM snapshot")
for shape in "254 63 10" "10 64 3" "10 63 254"; do
    set -- $shape
    manifest "$1" "$2" "$3" >"$WORK/long.yaml"
    rc=0
    "$AP" --db "$db" import "$WORK/long.yaml" 2>"$WORK/err" || rc=$?
    [ "$rc" -eq 2 ] || fail "lengths $shape: exit $rc, expected 2"
    grep -q "^authpath: $WORK/long.yaml:[0-9]*:[0-9]*: .* bytes long: Kubernetes allows at most" \
        "$WORK/err" || fail "lengths $shape: $(cat "$WORK/err")"
done
[ "$(sqlite3 "$db" "SELECT count(*) FROM snapshot")" = "$before" ] \
    || fail "a refused import left a snapshot"
echo ok
