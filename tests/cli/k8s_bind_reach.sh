#!/bin/sh
# tests/cli/k8s_bind_reach.sh: the bind rule's set nodes change no answer: every node of
# tests/fixtures/k8s/bind-any.yaml (each way to bind or escalate, for every name or some, in a
# namespace or cluster-wide) reaches exactly the nodes, with exactly the rights, it reached when
# each binder had its own edge to each role (bind-any.reach, recorded then); the set nodes
# (roles:NS/*, clusterroles:*, clusterroles:*@NS) are the only nodes added.
# Usage: k8s_bind_reach.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/bind.db
"$AP" --db "$db" import "$SRC/tests/fixtures/k8s/bind-any.yaml" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
python3 - "$AP" "$db" "$SRC/tests/fixtures/k8s/bind-any.reach" >"$WORK/got" <<'PY' \
    || fail "authority"
import csv, io, subprocess, sys
ap, db, want = sys.argv[1:4]
sources = []
for line in open(want, encoding="utf-8"):
    if not line.startswith("#") and line.split("\t")[0] not in sources:
        sources.append(line.split("\t")[0])
print("".join(l for l in open(want, encoding="utf-8") if l.startswith("#")), end="")
for s in sources:
    out = subprocess.run([ap, "--db", db, "--at", "2026-06-01", "authority", s, "--format",
                          "csv"], capture_output=True, text=True, check=True).stdout
    for r in sorted(csv.DictReader(io.StringIO(out)), key=lambda r: r["ID"]):
        if not r["ID"].startswith(("roles:", "clusterroles:")):
            print("%s\t%s\t%s" % (s, r["ID"], r["RIGHTS"]))
PY
diff -u "$SRC/tests/fixtures/k8s/bind-any.reach" "$WORK/got" >&2 \
    || fail "reach or rights changed (above)"
n=$(sqlite3 "$db" "SELECT count(*) FROM ident WHERE id LIKE 'roles:%' OR id LIKE 'clusterroles:%'")
[ "$n" -eq 5 ] || fail "$n set nodes (expected 5: roles:apps/*, roles:data/*, clusterroles:*, \
clusterroles:*@apps, clusterroles:*@data)"
echo ok
