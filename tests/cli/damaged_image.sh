#!/bin/sh
# tests/cli/damaged_image.sh: a graph image damaged in a block a one-partner command or
# `partners` reads (its node or edge records, its strings) is found when the block is read, and
# the command answers from the rows instead, byte for byte as from an intact image.
# Usage: damaged_image.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/d.db
"$AP" --db "$db" import "$SRC/samples/estate.json" >/dev/null 2>&1 || fail "import"
cp "$db-graph" "$WORK/intact"
q() { "$AP" --db "$db" --at 2026-11-01 "$@"; }
target=$(q authority contoso --format csv | awk -F, 'NR > 1 { gsub(/"/, "") }
         NR > 1 && $2 == "resource" { print $3; exit }')
[ -n "$target" ] || fail "no resource in contoso's authority"
set -- "authority contoso --format csv" "authority contoso" "authority contoso --format json" \
       "authority contoso --evidence" "explain contoso $target" \
       "explain contoso $target --format json" "paths contoso --to $target" \
       "partners" "partners --format csv"

# the header's section offsets (uint64 from byte 64) and lengths (from byte 64 + 8 x 8)
field() { od -An -t u8 -j "$1" -N 8 "$WORK/intact" | tr -d ' '; }
flip() {    # flip one byte at offset $1 of the image
    python3 -c 'import sys
p, at = sys.argv[1], int(sys.argv[2])
with open(p, "r+b") as f:
    f.seek(at); b = f.read(1); f.seek(at); f.write(bytes([b[0] ^ 0x20]))' "$db-graph" "$1"
}
# a node record in the middle (where a search by id starts), the first edge record (the
# source's first out-edge), the strings' first block ("{}", the attributes of most edges)
for where in "0 2" "1 0" "6 0"; do
    set -f
    # shellcheck disable=SC2086
    set -- $where "$@"
    set +f
    section=$1 half=$2
    shift 2
    off=$(field $((64 + 8 * section)))
    len=$(field $((128 + 8 * section)))
    at=$((off + 1))
    [ "$half" = 0 ] || at=$((off + len / half))
    for cmd in "$@"; do
        cp "$WORK/intact" "$db-graph"
        # shellcheck disable=SC2086
        q $cmd >"$WORK/want" || fail "$cmd on the intact image"
        flip "$at"
        # shellcheck disable=SC2086
        AUTHPATH_TRACE=1 q $cmd >"$WORK/got" 2>"$WORK/err" \
            || fail "$cmd with byte $at flipped: exit $? ($(cat "$WORK/err"))"
        cmp -s "$WORK/want" "$WORK/got" || fail "$cmd with byte $at flipped: another answer"
        grep -q "graph image is damaged" "$WORK/err" \
            || fail "$cmd with byte $at flipped: the damage went unsaid: $(cat "$WORK/err")"
        grep -q "came from the database's rows" "$WORK/err" \
            || fail "$cmd with byte $at flipped: not answered from the rows: $(cat "$WORK/err")"
    done
done
cp "$WORK/intact" "$db-graph"
echo ok
