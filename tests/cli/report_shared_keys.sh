#!/bin/sh
# tests/cli/report_shared_keys.sh: the report's offboarding section counts a partner's shared
# credentials without computing both choices for each (a graph derived per credential: 10,000
# keys shared with a pool of partners took 17 CPU-s, 50,000 were killed at 60 s); offboard
# still lists them with both choices. Usage: report_shared_keys.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/reliability/gen_adversarial.py" shared 20 "$WORK/est"
"$AP" --db "$WORK/s.db" import "$WORK/est/nodes.csv" "$WORK/est/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
secs=8                  # about 2 CPU-s now; the sanitizer tree about 20
ldd "$AP" 2>/dev/null | grep -q 'libasan' && secs=80
(ulimit -t $secs; "$AP" --db "$WORK/s.db" --at 2026-01-01 report mega >"$WORK/r.html") \
    2>"$WORK/err" || fail "report mega within $secs CPU-s: $(cat "$WORK/err")"
grep -q "10000 shared credentials need a choice" "$WORK/r.html" \
    || fail "the report does not count the 10,000 shared credentials"
echo "the report counts shared credentials within $secs CPU-s"
