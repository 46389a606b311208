#!/bin/sh
# tests/cli/rights_order.sh: custom rights take the order the rights file declares whatever the
# order of the import's files: an edges file read first gave them the order of their first use,
# so the same estate printed its rights in another order, and export, import, export changed
# the bytes.
# Usage: rights_order.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
printf 'right\nzeta\nalpha\nmid\n' >"$WORK/rights.csv"
printf 'id,kind\np,partner\nk,credential\nr,resource\n' >"$WORK/nodes.csv"
printf 'from,to,kind,rights\np,k,holds,\nk,r,access,mid|alpha|zeta|read\n' \
    >"$WORK/edges.csv"
"$AP" --db "$WORK/first.db" import "$WORK/rights.csv" "$WORK/nodes.csv" "$WORK/edges.csv" \
    2>/dev/null || fail "import, rights first"
"$AP" --db "$WORK/last.db" import "$WORK/edges.csv" "$WORK/nodes.csv" "$WORK/rights.csv" \
    2>/dev/null || fail "import, rights last"
for db in first last; do
    "$AP" --db "$WORK/$db.db" --at 2026-01-01 authority p --format csv >"$WORK/$db.csv" \
        || fail "authority on $db"
done
cmp -s "$WORK/first.csv" "$WORK/last.csv" \
    || fail "the order of the files changed the output: $(diff "$WORK/first.csv" "$WORK/last.csv")"
grep -q '"r","","read|zeta|alpha|mid"' "$WORK/first.csv" \
    || fail "rights not in the declared order: $(cat "$WORK/first.csv")"
"$AP" --db "$WORK/last.db" export --format csv --output "$WORK/x1" || fail "export"
"$AP" --db "$WORK/again.db" import "$WORK/x1-edges.csv" "$WORK/x1-nodes.csv" \
    "$WORK/x1-rights.csv" 2>/dev/null || fail "import of the export"
"$AP" --db "$WORK/again.db" export --format csv --output "$WORK/x2" || fail "export again"
for f in edges nodes rights; do
    cmp -s "$WORK/x1-$f.csv" "$WORK/x2-$f.csv" || fail "export, import, export: $f differs"
done
echo ok
