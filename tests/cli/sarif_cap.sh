#!/bin/sh
# tests/cli/sarif_cap.sh: code scanning rejects a SARIF run of more than 25,000 results, so
# `findings --format sarif` holds the 25,000 most severe findings by default and says, in the
# log and on stderr, how many it leaves out; --sarif-max 0 writes every one, --sarif-max N N.
# Usage: sarif_cap.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/keys.db
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
# one partner holds 25,010 keys without an expiry (credential-no-expiry, medium... each its
# own root cause) and two that are shared with a second partner (credential-shared, high)
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind,owner\np,partner,\nq,partner,\nsvc,identity,ops\ndb,resource,\n")
    e.write("from,to,kind,rights\nsvc,db,access,read\n")
    for k in range(25010):
        n.write("k%05d,credential,ops\n" % k)
        e.write("p,k%05d,holds,\nk%05d,svc,authenticates_as,\n" % (k, k))
    for k in range(2):
        n.write("s%d,credential,ops\n" % k)
        e.write("p,s%d,holds,\nq,s%d,holds,\ns%d,svc,authenticates_as,\n" % (k, k, k))
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
run() {
    "$AP" --db "$db" --at 2026-01-01 findings --format sarif "$@" >"$WORK/out.sarif" \
        2>"$WORK/err" || fail "findings $*: $(cat "$WORK/err")"
}
check() {       # check WANT_RESULTS WANT_OMITTED
    python3 - "$WORK/out.sarif" "$1" "$2" <<'PY' || fail "SARIF log: $(tail -c 300 "$WORK/err")"
import json, sys
doc = json.load(open(sys.argv[1]))
want, omitted = int(sys.argv[2]), int(sys.argv[3])
run = doc["runs"][0]
res = run["results"]
assert len(res) == want, (len(res), want)
levels = [r["level"] for r in res]
if omitted:
    assert run["properties"]["findingsOmitted"] == omitted, run["properties"]
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["level"] == "warning" and "%d of %d findings" % (
        omitted, omitted + want) in note["message"]["text"], note
    # the most severe are kept: the shared keys' findings (error) are in
    assert levels.count("error") >= 2, levels.count("error")
else:
    assert "invocations" not in run and "properties" not in run
PY
}
run
total=$("$AP" --db "$db" --at 2026-01-01 findings --format csv | tail -n +2 | wc -l)
[ "$total" -gt 25000 ] || fail "the estate gives $total findings, not more than 25000"
check 25000 $((total - 25000))
grep -q "holds the 25000 most severe of $total findings" "$WORK/err" \
    || fail "no note on stderr: $(cat "$WORK/err")"
run --sarif-max 0
check "$total" 0
[ ! -s "$WORK/err" ] || fail "a note with --sarif-max 0: $(cat "$WORK/err")"
run --sarif-max 3
check 3 $((total - 3))
echo "sarif_cap: ok"
