#!/bin/sh
# tests/cli/paths_cluster.sh: `paths` through a large strongly connected cluster entered at one
# node: every target's answer is whole within the work bound. The backward searches (the ball
# around a target, "does a longer route exist?") wandered the cluster until the bound stopped
# them, for every target ("truncated"; on the cyclic S=100 estate 3,727 targets, 47 s). Now the
# ball keeps only nodes near enough to the source too, and a longer route is found where the
# search meets a node whose breadth-first route from the source joins it into one.
# Usage: paths_cluster.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/cluster.db
python3 - "$WORK" <<'PY'
import random, sys
w, n, rnd = sys.argv[1], 20000, random.Random(7)
with open(w + "/nodes.csv", "w") as nf, open(w + "/edges.csv", "w") as ef:
    nf.write("id,kind,sensitivity\np,partner,\nk,credential,\nh,identity,\n")
    ef.write("from,to,kind,rights\np,k,holds,\nk,h,authenticates_as,\nh,i19999,can_assume,\n")
    for i in range(n):
        nf.write("i%05d,identity,\n" % i)
        # one cluster, entered at its last id: a search taking the least ids first wanders
        ef.write("i%05d,i%05d,can_assume,\n" % (i, (i + 1) % n))
        for _ in range(6):
            ef.write("i%05d,i%05d,can_assume,\n" % (i, rnd.randrange(n)))
    for r in range(50):
        nf.write("r%02d,resource,confidential\n" % r)
        ef.write("h,r%02d,access,read\n" % r)                        # the short route
        for _ in range(3):
            ef.write("i%05d,r%02d,access,read\n" % (rnd.randrange(1, n), r))
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
(ulimit -t 20; "$AP" --db "$db" --at 2026-01-01 paths p --max-depth 4 --max-paths 1 \
    --format json >"$WORK/paths.json") 2>"$WORK/err" || fail "paths: $(cat "$WORK/err")"
python3 - "$WORK/paths.json" <<'PY' || fail "targets behind the cluster left incomplete"
import json, sys
sets = json.load(open(sys.argv[1]))["targets"]
assert len(sets) == 50, len(sets)
cut = [s["id"] for s in sets if s["truncated"]]
assert not cut, "%d of 50 truncated: %s" % (len(cut), " ".join(cut[:5]))
for s in sets:      # p > k > h > r, and the routes through the cluster are longer than 4
    assert [len(p["steps"]) for p in s["paths"]] == [3], s["paths"]
    assert s["longer_paths"] and not s["more_paths"], s["id"]
PY
echo ok
