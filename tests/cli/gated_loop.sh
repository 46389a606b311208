#!/bin/sh
# tests/cli/gated_loop.sh: a delegation loop whose links are gated: the delegation-loop finding
# shows as its chain a cycle that carries from its first partner (docs/design.md's witness
# replayed by adv_check.py), and none when gates stop every partner's chain on the way round.
# Usage: gated_loop.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
check="$SRC/tests/reliability/adv_check.py"

# loop KEEP DB: findings --rule delegation-loop on the estate in WORK/KEEP, as JSON in WORK/KEEP.json
loop() {
    "$AP" --db "$WORK/$1.db" import "$WORK/$1/nodes.csv" "$WORK/$1/edges.csv" 2>"$WORK/err" \
        || fail "import $1: $(cat "$WORK/err")"
    "$AP" --db "$WORK/$1.db" --at 2026-01-01 findings --rule delegation-loop --format json \
        >"$WORK/$1.json" 2>"$WORK/err" || fail "findings on $1: $(cat "$WORK/err")"
}

# p0's chain carries read to p1, whose link back wants write; p1's carries all to p0, and p0's
# link on passes read: the cycle from p1 carries, the one from p0 does not
mkdir -p "$WORK/one" "$WORK/none"
printf 'id,kind\np0,partner\np1,partner\n' >"$WORK/one/nodes.csv"
printf 'from,to,kind,rights,requires\np0,p1,subcontractor_of,read,\np1,p0,subcontractor_of,,write\n' \
    >"$WORK/one/edges.csv"
loop one
python3 "$check" chains "$WORK/one" 2026-01-01 "$WORK/one.json" >"$WORK/bad" \
    || fail "a loop's chain does not carry: $(cat "$WORK/bad")"
python3 - "$WORK/one.json" <<'PY' || fail "the carried loop is not the one expected"
import json, sys
f, = json.load(open(sys.argv[1]))["findings"]
assert f["subject"] == "p0", f["subject"]
assert [s["from"] for s in f["evidence"]["path"]] == ["p1", "p0"], f["evidence"]["path"]
assert f["evidence"]["facts"]["loop"] == "p1 > p0 > p1", f["evidence"]["facts"]
assert "p1's authority goes all the way round it" in f["message"], f["message"]
PY

# each link passes what the other's gate does not ask for: no chain goes round from either
printf 'id,kind\np0,partner\np1,partner\n' >"$WORK/none/nodes.csv"
printf 'from,to,kind,rights,requires\np0,p1,subcontractor_of,read,write\np1,p0,subcontractor_of,delete,write\n' \
    >"$WORK/none/edges.csv"
loop none
python3 "$check" chains "$WORK/none" 2026-01-01 "$WORK/none.json" >"$WORK/bad" \
    || fail "a loop's chain does not carry: $(cat "$WORK/bad")"
python3 - "$WORK/none.json" <<'PY' || fail "the uncarried loop is not reported as expected"
import json, sys
f, = json.load(open(sys.argv[1]))["findings"]
assert f["evidence"]["path"] == [], f["evidence"]["path"]
assert f["evidence"]["facts"]["loop"] == "p0 > p1 > p0", f["evidence"]["facts"]
assert "no chain carries authority all the way round" in f["message"], f["message"]
PY
echo "gated loops: chains carry"
