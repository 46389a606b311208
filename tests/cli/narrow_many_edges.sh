#!/bin/sh
# tests/cli/narrow_many_edges.sh: a derived graph names its added edges against a hash of the
# kept ids, not a scan of every edge per added one: `what-if --narrow-to-observed` derives a
# graph per trial, each adding an edge per narrowed grant, and on 2,000 identities with three
# custom-right edges each took 46 CPU-s (now 2.5). Here 1,000 identities, within 4 CPU-s (the
# sanitizer tree: 40).
# Usage: narrow_many_edges.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/vocab.db
python3 "$SRC/tests/reliability/gen_adversarial.py" vocab 50 "$WORK/est" || fail "generator"
"$AP" --db "$db" import "$WORK/est/nodes.csv" "$WORK/est/edges.csv" "$WORK/est/rights.csv" \
    2>"$WORK/err" || fail "import: $(cat "$WORK/err")"
secs=4
ldd "$AP" 2>/dev/null | grep -q 'libasan' && secs=40
rc=0
(ulimit -t $secs; exec "$AP" --db "$db" --at 2026-01-01 what-if vp0 --narrow-to-observed \
    --format json) >"$WORK/out.json" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 0 ] || fail "narrow-to-observed: exit $rc within $secs CPU-s: $(cat "$WORK/err")"
python3 -m json.tool "$WORK/out.json" >/dev/null || fail "the output does not parse"
echo ok
