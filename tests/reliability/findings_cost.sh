#!/bin/sh
# tests/reliability/findings_cost.sh: a credential's own authority costs what its finding needs:
# findings on the keys shape (gen_shapes.awk) within a CPU cap that full authorities exceed.
# Arguments: AUTHPATH SRC WORK [N] [TAIL] [SECS]. The keys shape: N partners with 20 keys each;
# every key reaches its own production and dev resources at one step, and a shared tail of TAIL
# resources behind an identity. environment-crossing asks each key's own authority for the
# first production and other node it reaches: known after one round. Run to the end, the
# 20 x N key authorities cost 20 x N x TAIL (N=100, TAIL=30000: about 9 CPU-s); stopped at the
# round that settles them, the keys cost little and the partners' own authorities the rest
# (about 1.6 CPU-s).
. "$(dirname "$0")/common.sh"
N=${4:-100}
TAIL=${5:-30000}
SECS=${6:-4}

awk -v shape=keys -v n="$N" -v tail="$TAIL" -v nodes="$WORK/nodes.csv" \
    -v edges="$WORK/edges.csv" -f "$SRC/tests/reliability/gen_shapes.awk"
"$AP" --db "$WORK/keys.db" import "$WORK/nodes.csv" "$WORK/edges.csv" >/dev/null \
    2>"$WORK/err" || fail "cannot import the keys shape: $(cat "$WORK/err")"
rc=0
(ulimit -t "$SECS"; exec timeout -s KILL 300 "$AP" --db "$WORK/keys.db" --at 2026-01-01 \
    findings --format csv) >"$WORK/out" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 0 ] || fail "findings on the keys shape (N=$N, tail $TAIL) over $SECS CPU-s:" \
    "rc=$rc $(head -c 300 "$WORK/err")"
# every key crosses environments, once: the answer is all there
made=$(grep -c '^"p[0-9]*","[a-z]*","environment-crossing",' "$WORK/out" || true)
[ "$made" -eq $((N * 20)) ] || fail "expected $((N * 20)) environment-crossing findings, got $made"
want='"Credential k7_3, held by partner p7 through p7 > k7_3, reaches production (x7_3) and dev'
grep -qF "$want (y7_3)." "$WORK/out" \
    || fail "not the finding of key k7_3 expected: $(grep k7_3 "$WORK/out" | head -c 600)"
echo "findings on the keys shape (N=$N, tail $TAIL): $made environment crossings within" \
    "$SECS CPU-s"
