#!/bin/sh
# tests/cli/beyond_scope_named.sh: authority-beyond-scope names a partner's first 20 targets
# outside its scope (most sensitive, then fewest hops, then id) and asks for the chains of
# those alone: 200 scoped partners each reaching 20,115 targets outside through a shared hub
# once asked for every target's chain (4 million requests, every run to its end).
# Usage: beyond_scope_named.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
scope = '"{""resources"": [""app-*""]}"'
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity,scope\nid,identity,,\ng1,role,,\ng2,role,,\n")
    e.write("from,to,kind,rights\nid,g1,can_assume,\ng1,g2,can_assume,\n")
    for p in range(200):
        n.write("p%03d,partner,,%s\nk%03d,credential,,\n" % (p, scope, p))
        e.write("p%03d,k%03d,holds,\nk%03d,id,authenticates_as,\n" % (p, p, p))
    for r in range(20000):                  # internal, hop 4: counted, never named
        n.write("rb%05d,resource,internal,\n" % r)
        e.write("g1,rb%05d,access,read\n" % r)
    for r in range(5):                      # critical, hop 4: named first
        n.write("rc%d,resource,critical,\n" % r)
        e.write("g1,rc%d,access,read\n" % r)
    for r in range(10):                     # restricted, hop 4: named next, though ids later
        n.write("rz%04d,resource,restricted,\n" % r)
        e.write("g1,rz%04d,access,read\n" % r)
    for r in range(100):                    # restricted, hop 5: the first 5 by id named
        n.write("ra%04d,resource,restricted,\n" % r)
        e.write("g2,ra%04d,access,read\n" % r)
PY
"$AP" --db "$WORK/s.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
limit=60000                     # KiB of peak RSS; the sanitizer's shadow and quarantine: more
ldd "$AP" 2>/dev/null | grep -q 'libasan' && limit=600000
/usr/bin/time -f %M -o "$WORK/rss" "$AP" --db "$WORK/s.db" --at 2026-06-01 findings \
    --rule authority-beyond-scope --format json >"$WORK/out.json" 2>"$WORK/err" \
    || fail "findings: $(cat "$WORK/err")"
rss=$(tail -1 "$WORK/rss")
python3 - "$WORK/out.json" <<'PY' || fail "the targets named"
import json, sys
doc = json.load(open(sys.argv[1]))
fs = [f for f in doc["findings"] if f["rule"] == "authority-beyond-scope"]
assert len(fs) == 200, len(fs)
want = (["rc%d" % r for r in range(5)] + ["rz%04d" % r for r in range(10)]
        + ["ra%04d" % r for r in range(5)])
for f in fs:
    facts = f["evidence"]["facts"]
    assert facts["outside"] == "20115", facts["outside"]
    named = [t.split(" (")[0] for t in facts["targets"].split("; ")[:20]]
    assert named == want, named
    assert facts["targets"].endswith("; and 20095 more"), facts["targets"][-40:]
    assert f["severity"] == "critical", f["severity"]
print("200 findings name rc0-4, rz0000-0009, ra0000-0004 and count 20,095 more")
PY
[ "$rss" -lt "$limit" ] || fail "findings peaked at $rss KiB (bound $limit)"
echo "beyond_scope_named: ok ($rss KiB)"
