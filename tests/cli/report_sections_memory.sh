#!/bin/sh
# tests/cli/report_sections_memory.sh: the report's twenty partner sections each need their
# partner's authority, and it held all twenty at once beside the findings' (S=100 dense: past
# 2 GiB). Now one is computed while its section is written, then let go: 20 partners over
# 60,000 resources peak well under the twenty at once. Usage: AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/w.db
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,sensitivity,owner,expires\nhub,identity,,ops,\n")
    e.write("from,to,kind,rights\n")
    for p in range(20):
        n.write("p%02d,partner,,,\nk%02d,credential,,ops,2027-01-01\n" % (p, p))
        e.write("p%02d,k%02d,holds,\nk%02d,hub,authenticates_as,\n" % (p, p, p))
    for r in range(60000):
        n.write("r%06d,resource,internal,,\n" % r)
        e.write("hub,r%06d,access,read\n" % r)
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
limit=150000                    # KiB; twenty authorities at once took 230,000 here
ldd "$AP" 2>/dev/null | grep -q 'libasan' && limit=600000
/usr/bin/time -f %M -o "$WORK/rss" "$AP" --db "$db" --at 2026-01-01 report \
    --output "$WORK/r.html" 2>"$WORK/err" || fail "report: $(cat "$WORK/err")"
rss=$(tail -1 "$WORK/rss")
[ "$rss" -lt "$limit" ] || fail "report peaked at $rss KiB (bound $limit)"
[ "$(grep -c '<section class="partner"' "$WORK/r.html")" = 20 ] || fail "not 20 sections"
echo "report_sections_memory: ok"
