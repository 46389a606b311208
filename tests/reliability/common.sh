# tests/reliability/common.sh: what the reliability scripts share (sourced, not run): the
# arguments (AUTHPATH SRC WORK), a fresh work directory, a fixed clock and failing loudly.
set -eu
AP=$1
SRC=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
# a test that passes leaves nothing behind (CI's disk is shared by two trees of outputs, and a
# run once filled it); one that fails keeps WORK to be read
trap 'c_rc=$?; [ "$c_rc" != 0 ] || rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1767225600
unset AUTHPATH_DB

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# rule_json NAME RULE: import WORK/NAME.json into WORK/NAME.db and write the findings of RULE
# on it (JSON, --at 2026-06-01) to WORK/NAME.out
rule_json() {
    "$AP" --db "$WORK/$1.db" import "$WORK/$1.json" >/dev/null 2>"$WORK/err" \
        || fail "$1: import: $(cat "$WORK/err")"
    "$AP" --db "$WORK/$1.db" --at 2026-06-01 findings --rule "$2" --format json \
        >"$WORK/$1.out" 2>"$WORK/err" || fail "$1: findings: $(cat "$WORK/err")"
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

# budgeted DB ARGS...: `authpath --db DB --at 2026-01-01 ARGS` within SECS CPU seconds (ulimit
# -t: the machine may be shared, and a wall clock would measure the neighbours) and a wall-clock
# guard of WALL seconds (default 120) against a hang. In the plain tree (SAN unset or 0) memory
# is capped by ulimit -v LIMIT_KB; under ASan (SAN=1), whose shadow reserves terabytes of address
# space, the caller checks the peak RSS instead. Output in WORK/out, stderr in WORK/err; sets rc,
# cpu (user + system seconds), rss (peak KiB; 0 without /usr/bin/time) and size (bytes out);
# its own variables start with b_.
budgeted() {
    b_db=$1
    shift
    rc=0
    rm -f "$WORK/cost"
    b_timer=
    [ -x /usr/bin/time ] && b_timer="/usr/bin/time -f %U_%S_%M -o $WORK/cost"
    if [ "${SAN:-0}" = 1 ]; then
        # time outside timeout: the kill reaches authpath itself, and %M is its peak
        (ulimit -t "$SECS"; exec $b_timer timeout -s KILL "${WALL:-120}" "$AP" \
            --db "$b_db" --at 2026-01-01 "$@") >"$WORK/out" 2>"$WORK/err" || rc=$?
    else
        (ulimit -v "$LIMIT_KB"; ulimit -t "$SECS"
         exec $b_timer timeout -s KILL "${WALL:-120}" "$AP" --db "$b_db" --at 2026-01-01 "$@") \
            >"$WORK/out" 2>"$WORK/err" || rc=$?
    fi
    # the last line of the time file: a killed command leaves a note above it
    b_cost=$(tail -1 "$WORK/cost" 2>/dev/null | awk -F_ 'NF == 3 { print $1 + $2, $3 }')
    cpu=${b_cost% *}
    rss=${b_cost#* }
    [ -n "$b_cost" ] || { cpu=0; rss=0; }
    size=$(wc -c <"$WORK/out")
}
