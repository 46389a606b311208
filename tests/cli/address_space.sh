#!/bin/sh
# tests/cli/address_space.sh: `partners` under `ulimit -v`: the kernel's words take address space
# as batches reach positions (16 MiB chunks), not reserved for every position before the sinks
# (200,000 identities no partner reaches: ~330 MB needed before, ~215 MB now, two cores). Text
# `inventory`'s table of 200,601 rows keeps its cells in one buffer: it ran in 500,000 KiB, not
# 400,000 (a copy of every cell, each its own allocation), and runs in 300,000 now.
# Usage: address_space.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
# the sanitizers map terabytes of shadow: no address-space limit applies to them
if ldd "$AP" 2>/dev/null | grep -q 'libasan'; then
    echo "skipped in the sanitizer tree (address space is the sanitizer's)"
    exit 0
fi
awk 'BEGIN { print "id,kind,name"; for (i = 0; i < 600; i++) print "p" i ",partner,P" i
             for (i = 0; i < 200000; i++) {
                 print "i" i ",identity,I" i; print "r" i ",resource,R" i } }' \
    > "$WORK/nodes.csv"
awk 'BEGIN { print "from,kind,to,rights"
             for (i = 0; i < 600; i++) print "p" i ",admin_of,i" i * 300 ","
             for (i = 0; i < 200000; i++) print "i" i ",access,r" i ",read" }' > "$WORK/edges.csv"
"$AP" --db "$WORK/a.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$WORK/a.db" partners --format csv > "$WORK/free.csv" 2>"$WORK/err" \
    || fail "partners without a limit: $(cat "$WORK/err")"
# each worker beyond two adds its thread's stack, malloc arena and chunks
cpus=$(nproc 2>/dev/null || echo 2)
limit=$((270000 + (cpus > 2 ? cpus - 2 : 0) * 90000))
rc=0
(ulimit -v "$limit" && exec "$AP" --db "$WORK/a.db" partners --format csv) \
    > "$WORK/capped.csv" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 0 ] || fail "partners under ulimit -v $limit KiB: exit $rc $(cat "$WORK/err")"
cmp -s "$WORK/free.csv" "$WORK/capped.csv" || fail "partners under the limit printed other rows"
[ "$(wc -l < "$WORK/capped.csv")" -eq 601 ] || fail "expected 600 partners' rows"
echo "partners within $limit KiB of address space"
"$AP" --db "$WORK/a.db" inventory > "$WORK/free.txt" 2>"$WORK/err" \
    || fail "inventory without a limit: $(cat "$WORK/err")"
rc=0
(ulimit -v 360000 && exec "$AP" --db "$WORK/a.db" inventory) > "$WORK/capped.txt" \
    2>"$WORK/err" || rc=$?
[ "$rc" -eq 0 ] || fail "inventory under ulimit -v 360000 KiB: exit $rc $(cat "$WORK/err")"
cmp -s "$WORK/free.txt" "$WORK/capped.txt" || fail "inventory under the limit printed other rows"
echo "inventory within 360000 KiB of address space"
