#!/bin/sh
# tests/cli/gate_witness_budget.sh: the witnesses a chain's gates cite, nested ones included,
# print at most 64 steps per chain (CLI_GATE_STEPS), a gate past them its right and its length
# ("path_omitted"): each witness may hold gates of its own, and on a ring of partners through
# gated triggers the tree grew exponentially (60 partners: 17.8 MB of authority JSON, one chain
# citing 2,254 steps; 300 partners: 5.4 GB). Every step printed still replays (adv_check.py).
# Usage: gate_witness_budget.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/gates.db
python3 "$SRC/tests/reliability/gen_adversarial.py" dups 20 "$WORK/est" || fail "generator"
"$AP" --db "$db" import "$WORK/est/nodes.csv" "$WORK/est/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
for args in "authority up0" "explain up0 uw38" "paths up0 --to uw38 --max-paths 5"; do
    # shellcheck disable=SC2086
    "$AP" --db "$db" --at 2026-01-01 $args --format json >"$WORK/out.json" 2>"$WORK/err" \
        || fail "$args: $(cat "$WORK/err")"
    python3 - "$WORK/out.json" "$args" <<'PY' || fail "$args: gate witnesses past their budget"
import json, sys
doc = json.load(open(sys.argv[1]))
worst, omitted = 0, 0
def gate_steps(path):
    global omitted
    n = 0
    for s in path:
        g = s.get("gate")
        if g is not None:
            if "path_omitted" in g:
                omitted += 1
                assert g["path"] == [] and g["path_omitted"]["steps"] > 0, g
            n += len(g["path"]) + gate_steps(g["path"])
    return n
def walk(x):
    global worst
    if isinstance(x, dict):
        for k, v in x.items():
            if k in ("path", "steps") and isinstance(v, list) and v and "edge" in v[0]:
                worst = max(worst, gate_steps(v))
            elif k != "gate":
                walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(doc)
assert worst <= 64, "a chain's gates cite %d steps" % worst
if not sys.argv[2].startswith("paths"):
    assert omitted > 0, "no gate was left out: the shape no longer tests the bound"
PY
    python3 "$SRC/tests/reliability/adv_check.py" chains "$WORK/est" 2026-01-01 "$WORK/out.json" \
        >"$WORK/check" || fail "$args: a chain does not replay: $(head -3 "$WORK/check")"
done
"$AP" --db "$db" --at 2026-01-01 authority up0 --evidence >"$WORK/out.txt" || fail "--evidence"
grep -q "left out: this chain's gates have cited 64 steps" "$WORK/out.txt" \
    || fail "--evidence text does not bound the gates' witnesses"
echo ok
