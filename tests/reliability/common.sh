# tests/reliability/common.sh: what the reliability scripts share (sourced, not run): the
# arguments (AUTHPATH SRC WORK), a fresh work directory, a fixed clock and failing loudly.
set -eu
AP=$1
SRC=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
export SOURCE_DATE_EPOCH=1767225600
unset AUTHPATH_DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# big_estate N: WORK/big-nodes.csv and WORK/big-edges.csv with N nodes and 2N edges
big_estate() {
    awk -v n="$1" -v nodes="$WORK/big-nodes.csv" -v edges="$WORK/big-edges.csv" \
        -f "$SRC/tests/reliability/gen_estate.awk"
}

# integrity DB: PRAGMA integrity_check says ok
integrity() {
    r=$(sqlite3 "$1" "PRAGMA integrity_check") || fail "sqlite3 cannot read $1"
    [ "$r" = ok ] || fail "integrity_check on $1: $r"
}

# state DB: what a reader sees of snapshot 1 (its partners ranked) and the snapshot list
state() {
    "$AP" --db "$1" --snapshot 1 --at 2026-01-01 partners --format csv
    "$AP" --db "$1" snapshots --format csv
}
