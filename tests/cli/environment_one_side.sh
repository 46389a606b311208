#!/bin/sh
# tests/cli/environment_one_side.sh: environment-crossing runs a credential's own authority only
# when the credential has paths to both a production node and another environment's: 2,000 keys
# that reach production alone (their own resource and a shared tail of 20,000) are not run, one
# that also reaches dev is, and its finding stands. Run to the end, every key's authority
# crosses the tail: 2,000 x 20,000 deliveries.
# Usage: environment_one_side.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity,environment\nh,identity,,\ndev0,resource,internal,dev\n")
    e.write("from,to,kind\n")
    for t in range(20000):
        n.write("t%05d,resource,internal,prod\n" % t)
        e.write("h,t%05d,access\n" % t)
    for p in range(100):
        n.write("p%02d,partner,,\n" % p)
        for k in range(20):
            key = "k%02d_%02d" % (p, k)
            n.write("%s,credential,,\nx%s,resource,internal,prod\n" % (key, key))
            e.write("p%02d,%s,holds\n%s,x%s,access\n%s,h,authenticates_as\n"
                    % (p, key, key, key, key))
    e.write("k07_03,dev0,access\n")      # the one key that reaches both
PY
"$AP" --db "$WORK/e.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
limit=1                 # CPU seconds (0.07 here; every key run: 3.2); the sanitizer: slower
ldd "$AP" 2>/dev/null | grep -q 'libasan' && limit=5
/usr/bin/time -f "%U %S" -o "$WORK/cpu" timeout -s KILL 300 "$AP" --db "$WORK/e.db" \
    --at 2026-01-01 findings --rule environment-crossing --format csv >"$WORK/out" \
    2>"$WORK/err" || fail "findings: $(cat "$WORK/err")"
cpu=$(tail -1 "$WORK/cpu" | awk '{ print $1 + $2 }')
made=$(grep -c '"environment-crossing"' "$WORK/out" || true)
[ "$made" = 1 ] || fail "expected one environment-crossing finding, got $made"
grep -qF 'Credential k07_03, held by partner p07 through p07 > k07_03, reaches production' \
    "$WORK/out" || fail "not k07_03's finding: $(head -c 600 "$WORK/out")"
grep -qF '(dev0)' "$WORK/out" || fail "k07_03's finding does not name dev0"
awk -v cpu="$cpu" -v limit="$limit" 'BEGIN { exit !(cpu <= limit) }' \
    || fail "findings took $cpu CPU-s (bound $limit)"
echo "environment_one_side: one finding, $cpu CPU-s"
