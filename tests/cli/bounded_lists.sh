#!/bin/sh
# tests/cli/bounded_lists.sh: outputs about many partners or actors list at most 20 of each
# per-partner list and count the rest (issue 17): a loop of 60 partners and a cycle of 60
# identities (tests/reliability/gen_shapes.awk), checked against what naming one partner or
# --all lists in full. Usage: bounded_lists.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
N=60
for shape in loop cycle; do
    awk -v shape=$shape -v n=$N -v nodes="$WORK/$shape-nodes.csv" \
        -v edges="$WORK/$shape-edges.csv" -f "$SRC/tests/reliability/gen_shapes.awk"
    "$AP" --db "$WORK/$shape.db" import "$WORK/$shape-nodes.csv" "$WORK/$shape-edges.csv" \
        2>/dev/null || fail "cannot import $shape"
done
# check FILE PYTHON-EXPRESSION: the expression over the JSON document d holds
check() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" || fail "$1: not $2"
}

# partners and blast-radius: every partner inherits the 59 others; 20 listed, 39 counted
"$AP" --db "$WORK/loop.db" --at 2026-01-01 partners --format json >"$WORK/partners.json"
check "$WORK/partners.json" 'len(d["partners"]) == 60'
ALL20='all(len(p["inherits"]) == 20 and p["inherits_more"] == 39 for p in d["partners"])'
check "$WORK/partners.json" "$ALL20"
"$AP" --db "$WORK/loop.db" --at 2026-01-01 blast-radius --format json >"$WORK/blast.json"
check "$WORK/blast.json" "$ALL20"
# the first 20 are the first 20 of the full list, which naming the partner gives
"$AP" --db "$WORK/loop.db" --at 2026-01-01 blast-radius q7 --format json >"$WORK/q7.json"
check "$WORK/q7.json" 'len(d["partners"][0]["inherits"]) == 59'
check "$WORK/q7.json" 'd["partners"][0]["inherits_more"] == 0'
python3 -c 'import json, sys
full = json.load(open(sys.argv[1]))["partners"][0]["inherits"]
some = [p for p in json.load(open(sys.argv[2]))["partners"] if p["id"] == "q7"][0]["inherits"]
sys.exit(0 if some == full[:20] else 1)' "$WORK/q7.json" "$WORK/partners.json" \
    || fail "partners lists q7's inherits otherwise than blast-radius q7"

# inventory: key c0 is held by q0 and reached by every partner of the loop
"$AP" --db "$WORK/loop.db" --at 2026-01-01 inventory --format json >"$WORK/inv.json"
"$AP" --db "$WORK/loop.db" --at 2026-01-01 inventory --all --format json >"$WORK/inv-all.json"
C0='[i for i in d["inventory"] if i["id"] == "c0"][0]'
check "$WORK/inv.json" "len($C0[\"partners\"]) == 20 and $C0[\"partners_more\"] == 40"
check "$WORK/inv-all.json" "len($C0[\"partners\"]) == 60 and $C0[\"partners_more\"] == 0"
check "$WORK/inv.json" "$C0[\"partners\"] == sorted($C0[\"partners\"])"
"$AP" --db "$WORK/loop.db" --at 2026-01-01 inventory --kind credential --format csv \
    | tr -d '\r' | grep -q '^"credential","c0",.* q26 +40 more"$' \
    || fail "inventory csv does not count c0's partners"

# delegation: each of the 60 chains acts for the 59 others through the loop, 5 listed; the
# depth in words is an English ordinal (59 links: a "62nd" party)
"$AP" --db "$WORK/loop.db" --at 2026-01-01 delegation --format json >"$WORK/del.json"
check "$WORK/del.json" 'len(d["chains"]) == 60 and len(d["loops"]) == 1'
check "$WORK/del.json" 'all(len(c["acts_for"]) == 5 and c["acts_for_more"] == 54 for c in d["chains"])'
check "$WORK/del.json" 'all(c["party"] == "62nd" for c in d["chains"])'

# offboard q5: all 59 others act for it; their residual is listed for 20, counted for the rest
"$AP" --db "$WORK/loop.db" --at 2026-01-01 offboard q5 --format json >"$WORK/off.json"
"$AP" --db "$WORK/loop.db" --at 2026-01-01 offboard q5 --all --format json >"$WORK/off-all.json"
check "$WORK/off.json" 'len(d["acting_for"]) == 59'
check "$WORK/off.json" 'len({i["actor"] for i in d["residual"]} - {"q5"}) == 20'
check "$WORK/off-all.json" 'd["residual_more"] == 0'
check "$WORK/off-all.json" 'len({i["actor"] for i in d["residual"]}) > 20'
python3 -c 'import json, sys
some, full = (json.load(open(f)) for f in sys.argv[1:3])
n = len(some["residual"])
sys.exit(0 if some["residual"] == full["residual"][:n]
         and some["residual_more"] == len(full["residual"]) - n > 0 else 1)' \
    "$WORK/off.json" "$WORK/off-all.json" || fail "offboard residual: not --all's, cut and counted"
"$AP" --db "$WORK/loop.db" --at 2026-01-01 offboard q5 >"$WORK/off.txt"
grep -q "^    +[0-9]* more actors (not listed: --all lists them)$" "$WORK/off.txt" \
    || fail "offboard q5 text does not count the actors it leaves out"

# offboard p0 on the cycle: i_k lies on every path to r_k..r_59: 20 targets listed, the rest
# counted
"$AP" --db "$WORK/cycle.db" --at 2026-01-01 offboard p0 --format json >"$WORK/cyc.json"
"$AP" --db "$WORK/cycle.db" --at 2026-01-01 offboard p0 --all --format json \
    >"$WORK/cyc-all.json"
check "$WORK/cyc.json" 'all(len(c["targets"]) <= 20 for c in d["choke_points"])'
I0='[c for c in d["choke_points"] if c["id"] == "i0"][0]'
check "$WORK/cyc.json" "$I0[\"targets_more\"] == 40"
check "$WORK/cyc-all.json" "$I0[\"targets_more\"] == 0"
check "$WORK/cyc-all.json" "len($I0[\"targets\"]) == 60"
"$AP" --db "$WORK/cycle.db" --at 2026-01-01 offboard p0 >"$WORK/cyc.txt"
grep -q "^    i0 (identity): every path to .* and 40 more targets passes through it$" \
    "$WORK/cyc.txt" || fail "offboard p0 text does not count the targets it leaves out"
echo "lists of many partners or actors are bounded and counted"
