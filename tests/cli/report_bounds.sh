#!/bin/sh
# tests/cli/report_bounds.sh: the evidence pack on a whole estate writes sections for the 20
# highest ranked partners only (the rest stay in the ranking, linked to the node index), and a
# section lists at most 200 findings, counting the rest: 400 partners of a 400-deep chain, at
# about 3 s a section, were still writing at 60 s; one partner over 50,000 access edges that
# declare no rights (a finding per edge) wrote 22 MB of finding rows.
# Usage: report_bounds.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/bounds.db
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,tier,sensitivity\n")
    e.write("from,to,kind,rights\n")
    for p in range(25):
        n.write("p%02d,partner,%s,\nk%02d,credential,,\n" % (p, "read_only" if p == 0 else "", p))
        e.write("p%02d,k%02d,holds,\n" % (p, p))
    n.write("svc,identity,,\n")
    e.write("k00,svc,authenticates_as,\n")
    for r in range(230):        # 230 edges without rights: 230 undeclared-rights findings
        n.write("r%03d,resource,,internal\n" % r)
        e.write("svc,r%03d,access,\n" % r)
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$db" --at 2026-01-01 report >"$WORK/all.html" 2>"$WORK/err" \
    || fail "report: $(cat "$WORK/err")"
n=$(grep -o '<section class="partner"' "$WORK/all.html" | wc -l)
[ "$n" -eq 20 ] || fail "$n partner sections for 25 partners (expected the 20 highest ranked)"
grep -q 'Sections follow for the 20 highest ranked of the 25 partners' "$WORK/all.html" \
    || fail "the report does not say that 5 partners have no section"
# the ranking links a partner without a section to its row in the node index, which exists
for id in $(grep -o 'href="#[pn]-[^"]*"' "$WORK/all.html" | sed 's/href="#//; s/"$//' | sort -u)
do
    grep -q "id=\"$id\"" "$WORK/all.html" || fail "link to #$id, which the report lacks"
done
# a named partner's section whatever its rank; its findings bounded and counted
"$AP" --db "$db" --at 2026-01-01 report p00 >"$WORK/one.html" || fail "report p00"
rows=$(grep -o '<td class="sev-' "$WORK/one.html" | wc -l)
[ "$rows" -eq 200 ] || fail "$rows finding rows for p00 (expected 200 of them listed)"
grep -q '[0-9][0-9]* more findings are not listed here' "$WORK/one.html" \
    || fail "the findings left out are not counted"
echo ok
