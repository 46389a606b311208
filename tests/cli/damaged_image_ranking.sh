#!/bin/sh
# tests/cli/damaged_image_ranking.sh: `partners` reads the graph image as the kernel asks; damage
# it finds there must stop the ranking before a row goes out, so that the command runs again on
# a whole load: a ranking past stdout's buffer (64 KiB) could not be taken back. Usage:
# damaged_image_ranking.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/d.db
python3 - "$WORK/e.json" <<'PY'
import json, sys
n = 2500                # about 110 KB of ranking
nodes = [{"id": "role", "kind": "role"},
         {"id": "db", "kind": "resource", "sensitivity": "critical"}]
edges = [{"from": "role", "to": "db", "kind": "access", "rights": ["read"]}]
for i in range(n):
    nodes.append({"id": f"partner-{i:05d}", "kind": "partner", "name": f"Partner number {i}"})
    edges.append({"from": f"partner-{i:05d}", "to": "role", "kind": "can_assume"})
json.dump({"format": "authpath/1", "nodes": nodes, "edges": edges}, open(sys.argv[1], "w"))
PY
"$AP" --db "$db" import "$WORK/e.json" >/dev/null 2>&1 || fail "import"
cp "$db-graph" "$WORK/intact"
q() { "$AP" --db "$db" --at 2026-11-01 "$@"; }
for format in csv text; do
    q partners --format "$format" >"$WORK/want.$format" || fail "partners as $format, intact"
done
[ "$(wc -c <"$WORK/want.csv")" -gt 70000 ] || fail "the ranking is shorter than stdout's buffer"
# a byte in the middle of the edge records (section 1: offset and length in the header, uint64s
# from byte 64 and from byte 128)
field() { od -An -t u8 -j "$1" -N 8 "$WORK/intact" | tr -d ' '; }
at=$(( $(field 72) + $(field 136) / 2 ))
python3 -c 'import sys
p, at = sys.argv[1], int(sys.argv[2])
with open(p, "r+b") as f:
    f.seek(at); b = f.read(1); f.seek(at); f.write(bytes([b[0] ^ 0x20]))' "$db-graph" "$at"
for format in csv text; do
    AUTHPATH_TRACE=1 q partners --format "$format" >"$WORK/got" 2>"$WORK/err" \
        || fail "partners --format $format, damaged: exit $? ($(cat "$WORK/err"))"
    cmp -s "$WORK/want.$format" "$WORK/got" \
        || fail "partners --format $format, damaged: another answer"
    grep -q "runs again on a whole load" "$WORK/err" \
        || fail "partners --format $format, damaged: not run again: $(cat "$WORK/err")"
done
cp "$WORK/intact" "$db-graph"
echo ok
