#!/bin/sh
# tests/reliability/hostile_shapes.sh: small cyclic shapes that once blew up (issue 17): every
# command in every format within 10 s and 1 GiB on each, at N=2000 (gen_shapes.awk).
# Arguments: AUTHPATH SRC WORK [SANITIZED [SHAPE...]] (default: every shape). Time is CPU time (ulimit -t: the machine may be
# shared, and a wall clock would measure the neighbours), with a wall-clock guard of 120 s
# against a hang. In the plain tree memory is capped with ulimit -v; under ASan (SANITIZED=1),
# whose shadow reserves terabytes of address space, the peak RSS (/usr/bin/time -f %M) is
# checked instead.
. "$(dirname "$0")/common.sh"
SAN=${4:-0}
[ $# -gt 4 ] && shift 4 && SHAPES="$*" || SHAPES="loop cycle both longname"
N=${HOSTILE_N:-2000}
LIMIT_KB=1048576
SECS=10
WALL=${HOSTILE_WALL:-120}
TIME=/usr/bin/time
[ "$SAN" = 1 ] && [ ! -x "$TIME" ] && { echo "skipped: no /usr/bin/time"; exit 0; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
failures=0
CAP=67108864            # bytes of output a command may write (findings: per finding, below)
# SVG, PNG and PDF are Graphviz's and cairo's bytes from the child that fits the DOT (our code
# there runs for the DOT form too): the plain tree runs them (a 2353 x 25831 PNG of the loop's
# offboarding is 4 s of cairo), the sanitizer tree the DOT only.
RENDERED="svg png pdf"
[ "$SAN" = 1 ] && RENDERED=

# run DB ARGS...: one command within the budget; its output in WORK/out, stderr in WORK/err.
run() {
    db=$1
    shift
    budgeted "$db" "$@"
    [ -n "${HOSTILE_VERBOSE:-}" ] && echo "$(basename "$db" .db) $*: rc=$rc rss=${rss}k out=$size"
    if [ "$rc" -ne 0 ] || [ "$rss" -gt $LIMIT_KB ] || [ "$size" -gt "$CAP" ]; then
        echo "OVER BUDGET: $(basename "$db" .db) $*: rc=$rc max_rss=${rss}k output=$size bytes"
        head -c 400 "$WORK/err"
        failures=$((failures + 1))
    fi
}

# every_command DB PARTNER TARGET CREDENTIAL: each command, each format
every_command() {
    db=$1 p=$2 t=$3 c=$4
    for f in text json csv; do
        run "$db" snapshots --format $f
        run "$db" diff 1 2 --format $f
        run "$db" inventory --format $f
        run "$db" partners --format $f
        run "$db" blast-radius --format $f
        run "$db" rules --format $f
    done
    run "$db" rules --format markdown
    for f in text json csv dot $RENDERED; do
        run "$db" authority "$p" --format $f
        run "$db" blast-radius "$p" --format $f
        run "$db" paths "$p" --format $f
    done
    for f in text json dot $RENDERED; do
        run "$db" offboard "$p" --format $f
        run "$db" delegation --format $f
        run "$db" delegation "$p" --format $f
    done
    for f in text json; do
        run "$db" explain "$p" "$t" --format $f
        run "$db" what-if "$p" --revoke "$c" --format $f
        run "$db" what-if --until 2027-01-01 --format $f
    done
    # findings are bounded per root cause, each with bounded evidence (20 partners, 64 nodes,
    # 32 steps): 32 KiB of output a finding in any format (SARIF's 32 code-flow locations,
    # indented, are the most: about 20 KiB on the cycle)
    run "$db" findings --format text
    nfind=$(grep -cE '^  (LOW|MEDIUM|HIGH|CRITICAL) ' "$WORK/out" || true)
    CAP=$(( (nfind + 1) * 32768 ))
    for f in json csv sarif; do
        run "$db" findings --format $f
    done
    CAP=67108864
    run "$db" export --format opengraph
    run "$db" export --format graphml
    run "$db" export --format csv --output "$WORK/export"
}

# shape NAME PARTNER TARGET CREDENTIAL [AWK ARGS]: generate, import twice (diff needs two
# snapshots), run everything
shape() {
    name=$1 p=$2 t=$3 c=$4
    shift 4
    case " $SHAPES " in *" $name "*) ;; *) return 0 ;; esac
    awk -v shape="$name" -v n="$N" -v nodes="$WORK/$name-nodes.csv" \
        -v edges="$WORK/$name-edges.csv" "$@" -f "$SRC/tests/reliability/gen_shapes.awk"
    for i in 1 2; do
        "$AP" --db "$WORK/$name.db" import "$WORK/$name-nodes.csv" "$WORK/$name-edges.csv" \
            >/dev/null 2>"$WORK/err" || fail "cannot import $name: $(cat "$WORK/err")"
    done
    every_command "$WORK/$name.db" "$p" "$t" "$c"
}

shape loop q5 crm c0
shape cycle p0 r7 i0
shape both p0 crm c0
shape longname p0 crm c0 -v namelen="${HOSTILE_NAMELEN:-4000000}"
[ "$failures" -eq 0 ] || fail "$failures commands over budget (N=$N)"
echo "every command within ${SECS} s of CPU and 1 GiB on $SHAPES (N=$N)"
