#!/bin/sh
# tests/cli/chain_runs_own_level.sh: a chain run delivers only to what can bear on its own
# partner's requests: 2,000 partners ask for the first critical node they reach, one partner
# for the first internal one. Each critical-level run once also delivered to the 20,000
# internal resources beside its target (the mode's bearing held every level asked of it);
# its own level's bearing leaves them out.
# Usage: chain_runs_own_level.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity,last_reviewed\nh,identity,,\ng,role,,\n"
            "lone,partner,,2020-01-01\nlk,credential,,\nlr,resource,internal,\n")
    e.write("from,to,kind,rights\nh,g,can_assume,\nlone,lk,holds,\nlk,lr,access,read\n")
    for r in range(20000):
        n.write("r%05d,resource,internal,\n" % r)
        e.write("g,r%05d,access,read\n" % r)
    n.write("crit,resource,critical,\n")
    e.write("g,crit,access,read\n")
    for p in range(2000):
        n.write("p%04d,partner,,2020-01-01\nk%04d,credential,,\n" % (p, p))
        e.write("p%04d,k%04d,holds,\nk%04d,h,authenticates_as,\n" % (p, p, p))
PY
"$AP" --db "$WORK/c.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
limit=1                         # CPU seconds (0.1 here, 3.4 before); the sanitizer: slower
ldd "$AP" 2>/dev/null | grep -q 'libasan' && limit=6
/usr/bin/time -f "%U %S" -o "$WORK/cpu" timeout -s KILL 300 "$AP" --db "$WORK/c.db" \
    --at 2026-06-01 findings --rule review-overdue --format csv >"$WORK/out" 2>"$WORK/err" \
    || fail "findings: $(cat "$WORK/err")"
cpu=$(tail -1 "$WORK/cpu" | awk '{ print $1 + $2 }')
[ "$(grep -c '"review-overdue"' "$WORK/out")" = 2001 ] || fail "not 2,001 findings"
grep -qF 'it reaches critical crit through p0007 > k0007 > h > g > crit' "$WORK/out" \
    || fail "p0007's chain to crit: $(grep p0007 "$WORK/out" | head -c 400)"
grep -qF 'it reaches internal lr through lone > lk > lr' "$WORK/out" \
    || fail "lone's chain to lr: $(grep lone "$WORK/out" | head -c 400)"
awk -v cpu="$cpu" -v limit="$limit" 'BEGIN { exit !(cpu <= limit) }' \
    || fail "findings took $cpu CPU-s (bound $limit)"
echo "chain_runs_own_level: 2,001 findings, $cpu CPU-s"
