#!/bin/sh
# tests/reliability/hostile_findings.sh: findings and what-if on the small hostile shapes of
# issue 17 (a loop of N partners, a cycle of N identities, both joined; gen_shapes.awk) within
# 10 CPU-s and 1 GiB each, their output bounded by what they report: a loop is one finding, an
# edge every partner passes is one finding listing them all, long chains are cut with
# "[N more steps]".
# Arguments: AUTHPATH SRC WORK [SANITIZED] [N]. Under ASan (SANITIZED=1) memory is the peak RSS
# (/usr/bin/time), as hostile_shapes.sh measures it.
. "$(dirname "$0")/common.sh"
SAN=${4:-0}
N=${5:-2000}
LIMIT_KB=1048576
SECS=10
TIME=/usr/bin/time
[ "$SAN" = 1 ] && [ ! -x "$TIME" ] && { echo "skipped: no /usr/bin/time"; exit 0; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

# run DB ARGS...: one command within the budget; its output in WORK/out, at most CAP bytes
CAP=67108864
run() {
    db=$1
    shift
    budgeted "$db" "$@"
    if [ "$rc" -ne 0 ] || [ "$rss" -gt $LIMIT_KB ] || [ "$size" -gt "$CAP" ]; then
        fail "$(basename "$db" .db) $*: rc=$rc max_rss=${rss}k output=$size bytes: $(head -c 300 "$WORK/err")"
    fi
}

shape() {
    awk -v shape="$1" -v n="$N" -v nodes="$WORK/$1-nodes.csv" -v edges="$WORK/$1-edges.csv" \
        -f "$SRC/tests/reliability/gen_shapes.awk"
    "$AP" --db "$WORK/$1.db" import "$WORK/$1-nodes.csv" "$WORK/$1-edges.csv" \
        >/dev/null 2>"$WORK/err" || fail "cannot import $1: $(cat "$WORK/err")"
}

shape loop
shape cycle
shape both
for f in text json csv sarif; do
    run "$WORK/loop.db" findings --format $f
    run "$WORK/cycle.db" findings --format $f
done
for f in text json; do
    run "$WORK/loop.db" what-if q5 --revoke c0 --format $f
    run "$WORK/loop.db" what-if --until 2027-01-01 --format $f
    run "$WORK/cycle.db" what-if p0 --revoke i0 --format $f
    run "$WORK/cycle.db" what-if --until 2027-01-01 --format $f
    # the loop and the cycle together: every partner reaches every node, 2N chains each
    run "$WORK/both.db" what-if --until 2027-01-01 --format $f
    # not under ASan: at N=500 the change reaches 501 partners times 1,503 nodes, within
    # AP_WHATIF_FINDINGS_BUDGET, and the catalogue run twice over them on this shape costs
    # 6.4 CPU-s plain, over 10 s sanitized (the catalogue's own open row on this shape)
    [ "$SAN" = 1 ] || run "$WORK/both.db" what-if p0 --revoke c0 --format $f
done

# the forecast of every partner lists the chains of at most 20 partners and counts the rest
# (once N+1 partners times 10 chains of 16 steps: 117 MB at N=2000)
run "$WORK/both.db" what-if --until 2027-01-01 --format json
python3 - "$WORK/out" "$N" <<'PY' || fail "both: the forecast does not list 20 partners and count the rest"
import json, sys
doc, n = json.load(open(sys.argv[1])), int(sys.argv[2])
ps = doc["partners"]
assert len(ps) == n + 1, len(ps)
listed = [p for p in ps if p["survives"]]
assert len(listed) == 20 and [p["partner"] for p in listed] == [p["partner"] for p in ps[:20]]
assert all(len(p["survives"]) == 10 and p["survives_more"] == n + 1 - 10 for p in listed)
assert all(p["survives_more"] == n + 1 and p["lapses"] == [] for p in ps[20:])
PY
run "$WORK/both.db" what-if --until 2027-01-01
grep -q "^q$((N - 1)): 0 items lapse by itself, $((N + 1)) resources and workflows survive (not listed" \
    "$WORK/out" || fail "both: the text forecast does not count an unlisted partner"

# one root cause, one finding: the key's access edge once, listing all N partners; the loop once
run "$WORK/loop.db" findings --rule undeclared-rights
[ "$(grep -c 'undeclared-rights  c0|access|crm' "$WORK/out")" = 1 ] \
    || fail "loop: c0|access|crm is not exactly one undeclared-rights finding"
grep -q "^    partners ($N): .* and $((N - 20)) more$" "$WORK/out" \
    || fail "loop: the undeclared-rights finding does not list its $N partners, 20 by name"
grep -q 'for example through q0 > c0 > crm' "$WORK/out" \
    || fail "loop: the undeclared-rights chain is not the first partner's in id order"
run "$WORK/loop.db" findings --rule delegation-loop
[ "$(grep -c 'delegation-loop' "$WORK/out")" = 1 ] || fail "loop: not one delegation-loop finding"
# a chain through another partner stops at it
run "$WORK/loop.db" findings --rule scope-undeclared --partner q5
grep -q 'path: q5 > q6$' "$WORK/out" || fail "loop: scope-undeclared of q5 does not stop at q6"
# a long chain is cut in the middle and says how much is left out
run "$WORK/cycle.db" findings --rule undeclared-rights
grep -q "path: p0 > i0 > .* > \[$((N - 31)) more steps\] > .* > r$((N - 1))$" "$WORK/out" \
    || fail "cycle: the longest chain is not cut to its first and last 16 steps"
# authority's JSON streams its reach and cuts long chains to their first and last 8 steps
# (the whole document once held every chain of the cycle: N^2 steps, gigabytes)
run "$WORK/cycle.db" authority p0 --format json
python3 - "$WORK/out" "$N" <<'PY' || fail "cycle: authority JSON chains are not cut as docs/json.md says"
import json, sys
doc, n = json.load(open(sys.argv[1])), int(sys.argv[2])
far = [r for r in doc["reach"] if r["id"] == "r%d" % (n - 1)][0]
assert len(doc["reach"]) == 2 * n, len(doc["reach"])
assert len(far["path"]) == 16 and far["path_omitted"] == {"after": 8, "steps": far["hops"] - 16}
assert far["path"][0]["from"] == "p0" and far["path"][-1]["to"] == far["id"]
assert all("path_omitted" not in r for r in doc["reach"] if r["hops"] <= 16)
PY

# both joined (hostile_shapes.sh's `both`): every partner of the loop reaches the cycle through
# q0, N+1 partners of 3N+3 nodes each. The catalogue holds one batch of authorities at a time
# (it once held all N+1: 17 CPU-s and 1.6 GB at N=2000, then more than 100 CPU-s once the
# unattributable-write walks crossed the cycle for every target). Its findings are per root
# cause: per partner (four rules), per subcontract (fourth-party), per access edge
# (undeclared-rights), the loop once; so at most 6 per partner plus a few, and each one's
# evidence is bounded (chains cut to 16 steps, 20 partners named): 16 KiB of SARIF at most.
run "$WORK/both.db" findings --format text
nfind=$(grep -cE '^  (LOW|MEDIUM|HIGH|CRITICAL) ' "$WORK/out")
[ "$nfind" -le $((6 * (N + 1) + 8)) ] || fail "both: $nfind findings for $((N + 1)) partners"
CAP=$((nfind * 16384))
for f in json csv sarif; do
    run "$WORK/both.db" findings --format $f
done
CAP=67108864
count() {
    run "$WORK/both.db" findings --rule "$1"
    got=$(grep -cE "^  (LOW|MEDIUM|HIGH|CRITICAL) +$1 " "$WORK/out")
    [ "$got" = "$2" ] || fail "both: $got $1 findings, not $2 ($3)"
}
count delegation-loop 1 "the loop once"
count partner-inherits-partner 1 "p0 inherits q0; the loop's members are the loop's finding"
count undeclared-rights $((N + 1)) "one per access edge: c0's and each identity's"
count fourth-party-sensitive $N "one per partner reaching crm only through another: p0, each q_i but q0"
run "$WORK/both.db" findings --rule undeclared-rights
grep -q "^    partners ($((N + 1))): p0 q0 q1 .* and $((N + 1 - 20)) more$" "$WORK/out" \
    || fail "both: c0|access|crm does not list its $((N + 1)) partners"
grep -q 'for example through p0 > q0 > c0 > crm' "$WORK/out" \
    || fail "both: the chain over c0|access|crm is not the first partner's in id order"
run "$WORK/both.db" findings --rule fourth-party-sensitive
grep -q "^    evidence: sensitivity critical; sensitive_targets 1; .*; through_partner q0$" \
    "$WORK/out" || fail "both: p0's finding does not count crm alone, through q0"
[ "$(grep -c "^    evidence: sensitivity critical; sensitive_targets $((N + 1)); .*; through_partner q[0-9]*$" \
      "$WORK/out")" = $((N - 1)) ] \
    || fail "both: each loop partner but q0 is not one finding counting crm and the cycle"
[ "$(grep -c "^  HIGH      fourth-party-sensitive  [pq][0-9]*$" "$WORK/out")" = "$N" ] \
    || fail "both: the fourth-party findings are not one per partner, about it"
echo "findings, what-if and authority within ${SECS} s of CPU and 1 GiB on the loop, the cycle and both (N=$N)"
