#!/bin/sh
# bench/budgets.sh: every command of issue 18's budget table run on one estate (the native CSV
# pair), each under a memory cap and a timeout, judged met / NOT MET against its budget.
#
#   bench/budgets.sh NODES.csv EDGES.csv
#   BUILD=build                  holds authpath and ap_bench_peers (AP=, PEERS= override each)
#   BUDGET_DIR=/tmp/ap-budgets   where the databases (imported here) and raw timings go
#   AT=2026-06-01                --at of every query
#   REPS=1                       runs per command; the row is the run of median judged time
#   BUDGET_VMEM_MIB=3072         ulimit -v of every command: the 2 GiB budget plus headroom, so an
#                                overrun is measured, not fatal
#   BUDGET_TIMEOUT_X=4           CPU cap (ulimit -t): this many times the command's time budget,
#   BUDGET_TIMEOUT_MIN=30        at least these seconds (the 0.5 s one-partner budget would be
#                                killed by the load of a shared machine before it said anything)
#   BUDGET_CAP=300               CPU cap of the commands with no time budget (JSON, GraphML)
#   BUDGET_WALL_X=3              timeout (wall): this many times the CPU cap, so that the other
#                                jobs of a shared machine do not kill what the cap would let run
#   BUDGET_CLOCK=cpu             judge time budgets on CPU (user + system) or wall seconds
#   NAIVE_CPU=                   CPU seconds of the naive per-partner worklist over all partners,
#                                measured by the caller in the same run (bench/run.sh passes
#                                it); empty: measured here on NAIVE_SAMPLE partners, extrapolated
#   NAIVE_SAMPLE=1000            partners p0.. timed by that measurement (0: all of them). The
#                                first 100 of the independent S=100 estate came to 100-116 s
#                                extrapolated, its first 1,000 to 69 s, all 10,000 to 52-64 s
#                                (one machine, one hour): the small sample overstated the peer
#   ONE=p0                       the partner of the one-partner commands (authority, explain,
#                                paths, report); TARGET, the first resource of its authority
#   LABEL="S shape"              the first cells of every row (default: the files' tag)
#   BUDGET_ROWS_ONLY=1           print the rows only (bench/run.sh prints one header for all)
# BIGGEST is the partner ranked 1 by `partners --format csv` (highest score), ONE-EDGE the
# first (by id) of its current outgoing edges, read from the database with sqlite3.
# Prints one Markdown row per command; a killed or failed run says so in its row. The cold
# authority row is followed by its time to first byte (bench/first_byte.py: wall, and CPU read
# from /proc at that moment), judged against the 0.5 s "before the first answer".
set -eu

[ $# -eq 2 ] || { echo "usage: bench/budgets.sh NODES.csv EDGES.csv" >&2; exit 2; }
NODES=$(realpath "$1")
EDGES=$(realpath "$2")
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
AP=${AP:-$BUILD/authpath}
PEERS=${PEERS:-$BUILD/ap_bench_peers}
DIR=${BUDGET_DIR:-/tmp/ap-budgets}
AT=${AT:-2026-06-01}
REPS=${REPS:-1}
VMEM_MIB=${BUDGET_VMEM_MIB:-3072}
TX=${BUDGET_TIMEOUT_X:-4}
TMIN=${BUDGET_TIMEOUT_MIN:-30}
CAP=${BUDGET_CAP:-300}
WALL_X=${BUDGET_WALL_X:-3}
CLOCK=${BUDGET_CLOCK:-cpu}
ONE=${ONE:-p0}
LABEL=${LABEL:-$(basename "$NODES" -nodes.csv | sed 's/^estate-//')}
MEM_BUDGET_MIB=2048
DB=$DIR/b.db
DB2=$DIR/b2.db
mkdir -p "$DIR"

# measure NAME CAP KEEP CMD...: REPS runs of CMD under ulimit -v, ulimit -t CAP (CPU seconds)
# and timeout WALL_X x CAP (wall); stdout is
# counted (kept in DIR/NAME.out when KEEP is 1). DIR/NAME.res gets one line per run:
# "wall cpu rss_mib bytes status" (status: ok, or a word saying how the run ended); with
# PREP set, `sh -c "$PREP"` runs untimed before each run.
measure() {
    name=$1
    tmo=$2
    keep=$3
    shift 3
    wall_tmo=$(awk -v t="$tmo" -v x="$WALL_X" 'BEGIN { t *= x; printf "%.0f", t < 1 ? 1 : t }')
    : > "$DIR/$name.res"
    i=0
    while [ "$i" -lt "$REPS" ]; do
        [ -z "${PREP:-}" ] || sh -c "$PREP"
        rm -f "$DIR/$name.tv" "$DIR/$name.err"
        if [ "$keep" = 1 ]; then
            (ulimit -v $((VMEM_MIB * 1024)); ulimit -t "$tmo"
             exec /usr/bin/time -o "$DIR/$name.tv" -f '%e %U %S %M %x' \
                 timeout -k 10 "$wall_tmo" "$@" 2> "$DIR/$name.err") > "$DIR/$name.out" || true
            bytes=$(wc -c < "$DIR/$name.out")
        else
            bytes=$( (ulimit -v $((VMEM_MIB * 1024)); ulimit -t "$tmo"
                      exec /usr/bin/time -o "$DIR/$name.tv" -f '%e %U %S %M %x' \
                          timeout -k 10 "$wall_tmo" "$@" 2> "$DIR/$name.err") | wc -c)
        fi
        # the last line is the format; a line before it may say the command was signalled
        [ -s "$DIR/$name.tv" ] || echo "0 0 0 0 did_not_start" > "$DIR/$name.tv"
        line=$(tail -n 1 "$DIR/$name.tv")
        sig=$(sed -n 's/^Command terminated by signal \([0-9]*\).*/\1/p' "$DIR/$name.tv")
        code=${line##* }
        if [ "$code" = did_not_start ]; then
            st=did_not_start
        elif [ "$sig" = 24 ] || [ "$sig" = 9 ] && [ "$code" != 124 ]; then
            st="killed_by_the_CPU_cap_at_${tmo}_s"
        elif [ -n "$sig" ]; then
            st="killed_by_signal_$sig"
        elif [ "$code" = 124 ] || [ "$code" = 137 ]; then
            st="killed_by_timeout_at_${wall_tmo}_s_wall"
        elif [ "$code" != 0 ] && grep -qi 'memory' "$DIR/$name.err" 2> /dev/null; then
            st="out_of_memory_under_ulimit_-v_${VMEM_MIB}_MiB_(exit_$code)"
        elif [ "$code" != 0 ] && [ "$code" != 1 ]; then
            st="failed_(exit_$code)"
        else
            st=ok
        fi
        echo "$line" | awk -v b="$bytes" -v s="$st" \
            '{ printf "%.2f %.2f %.0f %s %s\n", $1, $2 + $3, $4 / 1024, b, s }' \
            >> "$DIR/$name.res"
        i=$((i + 1))
    done
}

# pick NAME: the run of median judged time: "wall cpu rss_mib bytes status"; a killed run if
# any was killed (a budget is not met by the runs that finished)
pick() {
    if grep -qv ' ok$' "$DIR/$1.res"; then
        grep -v ' ok$' "$DIR/$1.res" | head -n 1
        return
    fi
    k=2
    [ "$CLOCK" = wall ] && k=1
    sort -n -k$k "$DIR/$1.res" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
}

# judge NAME BUDGET_S [EXTRA]: the cells "wall | CPU | RSS | output | budget | status" of a
# row; BUDGET_S "-" judges memory only; EXTRA "ok" or a reason the budget is not met
judge() {
    set -- "$1" "$2" "${3:-ok}" $(pick "$1")
    name=$1 budget=$2 extra=$3 wall=$4 cpu=$5 rss=$6 bytes=$7 st=$8
    t=$cpu
    [ "$CLOCK" = wall ] && t=$wall
    verdict=met
    why=""
    if [ "$st" != ok ]; then
        verdict="NOT MET"
        why=$(echo "$st" | tr '_' ' ')
        [ "$bytes" = 0 ] || why="$why after $bytes bytes"
    else
        if [ "$budget" != - ] && awk -v t="$t" -v b="$budget" 'BEGIN { exit !(t > b) }'; then
            verdict="NOT MET"
            why="$t s $CLOCK > $budget s"
        fi
        if [ "$rss" -gt "$MEM_BUDGET_MIB" ]; then
            verdict="NOT MET"
            why="${why:+$why; }$rss MiB > 2 GiB"
        fi
        if [ "$extra" != ok ]; then
            verdict="NOT MET"
            why="${why:+$why; }$extra"
        fi
    fi
    bl=$MEM_BUDGET_MIB
    [ "$budget" = - ] || bl="$budget s, $bl"
    printf '%s | %s | %s | %s | <= %s MiB | %s%s' "$wall" "$cpu" "$rss" "$bytes" "$bl" \
        "$verdict" "${why:+: $why}"
}

row() { printf '| %s | %s | %s |\n' "$LABEL" "$1" "$2"; }

# the CPU cap of a command with a time budget
tmo() {
    awk -v b="$1" -v x="$TX" -v m="$TMIN" 'BEGIN { t = b * x; if (t < m) t = m
                                                 printf "%.0f", t < 1 ? 1 : t }'
}

# cell VALUE: a number of seconds from a .res line, or "-"
field() { pick "$1" | awk -v f="$2" '$5 == "ok" { print $f; exit } { print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-";
                                         else printf "%.2f", a / b }'; }

[ "${BUDGET_ROWS_ONLY:-0}" = 1 ] || {
echo "- Estate: $NODES, $EDGES; --at $AT; $REPS run(s) each, judged on $CLOCK seconds"
echo "- Caps: ulimit -v $VMEM_MIB MiB; ulimit -t $TX x the time budget (at least $TMIN CPU-s)," \
     "$CAP CPU-s without one; timeout $WALL_X x that in wall seconds"
echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| estate | command | wall (s) | CPU (s) | peak RSS (MiB) | output (bytes) | budget |" \
     "status |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
}

# import: the sqlite3 shell's floor, the first import into a fresh database, and the same files
# again into a copy of it (so that the copy holds two identical snapshots for diff)
PREP="rm -f $DIR/raw.db" measure shell 3600 0 sqlite3 "$DIR/raw.db" \
    ".import --csv $NODES nodes" ".import --csv $EDGES edges0" \
    'CREATE TABLE edges AS SELECT id, "from" AS src, "to" AS dst, kind, rights, requires,
       escalates, state, valid_from, expires FROM edges0; DROP TABLE edges0;
     CREATE INDEX nodes_id ON nodes(id); CREATE INDEX edges_src ON edges(src);'
rm -f "$DIR/raw.db"
PREP="rm -f $DB $DB-wal $DB-shm $DB-graph" measure import 3600 0 \
    "$AP" --db "$DB" import "$NODES" "$EDGES"
PREP="rm -f $DB2 $DB2-wal $DB2-shm $DB2-graph; cp $DB $DB2; \
      [ ! -e $DB-graph ] || cp $DB-graph $DB2-graph" \
    measure reimport 3600 0 "$AP" --db "$DB2" import "$NODES" "$EDGES"
shell_t=$(field shell 2)
imp_t=$(field import 2)
re_t=$(field reimport 2)
if [ "$CLOCK" = wall ]; then
    shell_t=$(field shell 1)
    imp_t=$(field import 1)
    re_t=$(field reimport 1)
fi
row "sqlite3 shell .import + 2 indexes (the floor)" "$(judge shell -)"
r=$(ratio "$imp_t" "$shell_t")
x=ok
awk -v r="$r" 'BEGIN { exit !(r != "-" && r > 1.5) }' && x="$r x the shell > 1.5"
[ "$r" != - ] || x="no ratio: the shell was not measured"
row "import (fresh database; $r x the shell)" "$(judge import - "$x")"
r=$(ratio "$re_t" "$imp_t")
x=ok
awk -v r="$r" 'BEGIN { exit !(r != "-" && r > 1.2) }' && x="$r x the first > 1.2"
[ "$r" != - ] || x="no ratio: the first was not measured"
row "re-import of the same files (2nd snapshot; $r x the first)" "$(judge reimport - "$x")"

# partners, against the naive worklist over all partners
if [ -z "${NAIVE_CPU:-}" ] && [ -x "$PEERS" ]; then
    sample=${NAIVE_SAMPLE:-1000}
    [ "$sample" = 0 ] && sample=
    timeout 3600 "$PEERS" "$DB" "$AT" naive 1 $sample > "$DIR/naive.log" \
        2> "$DIR/naive.err" || true
    NAIVE_CPU=$(sed -n 's/.* cpu=\([0-9.]*\).*/\1/p' "$DIR/naive.log")
    NAIVE_WALL=$(sed -n 's/.* all=\([0-9.]*\).*/\1/p' "$DIR/naive.log")
    naive_how="$(sed -n 's/.* partners=\([0-9]*\) of \([0-9]*\).*/\1 of \2/p' \
        "$DIR/naive.log") partners timed here, extrapolated"
else
    naive_how="measured by the caller"
fi
NAIVE_CPU=${NAIVE_CPU:--}
NAIVE_WALL=${NAIVE_WALL:-$NAIVE_CPU}
[ "$NAIVE_CPU" = - ] || NAIVE_CPU=$(printf '%.2f' "$NAIVE_CPU")
[ "$NAIVE_WALL" = - ] || NAIVE_WALL=$(printf '%.2f' "$NAIVE_WALL")
measure partners-csv "$(tmo 10)" 1 "$AP" --db "$DB" --at "$AT" partners --format csv
naive=$NAIVE_CPU
[ "$CLOCK" = wall ] && naive=$NAIVE_WALL
pt=$(field partners-csv 2)
[ "$CLOCK" = wall ] && pt=$(field partners-csv 1)
r=$(ratio "$naive" "$pt")
x=ok
awk -v r="$r" 'BEGIN { exit !(r != "-" && r < 10) }' && x="$r x faster than the naive < 10"
[ "$r" != - ] || x="the naive worklist was not measured"
row "partners --format csv (naive worklist $naive s $CLOCK, $naive_how: $r x)" \
    "$(judge partners-csv 10 "$x")"
measure partners-json "$CAP" 0 "$AP" --db "$DB" --at "$AT" partners --format json
row "partners --format json" "$(judge partners-json -)"
measure blast-json "$CAP" 0 "$AP" --db "$DB" --at "$AT" blast-radius --format json
row "blast-radius --format json" "$(judge blast-json -)"

measure findings "$(tmo 60)" 0 "$AP" --db "$DB" --at "$AT" findings
row "findings" "$(judge findings 60)"
measure findings-sarif "$(tmo 60)" 0 "$AP" --db "$DB" --at "$AT" findings --format sarif
row "findings --format sarif" "$(judge findings-sarif 60)"

# BIGGEST and one of its edges
BIGGEST=$(awk -F, 'NR > 1 { gsub(/"/, ""); if ($1 == 1) { print $2; exit } }' \
    "$DIR/partners-csv.out")
if [ -z "$BIGGEST" ]; then
    BIGGEST=$(sqlite3 "$DB" "SELECT i.id FROM node n JOIN ident i ON i.key = n.key
        WHERE n.snap_to IS NULL AND i.id LIKE 'p%' ORDER BY n.rid LIMIT 1")
    bhow="partners gave no ranking; the first partner in the database"
else
    bhow="first of partners --format csv"
fi
EDGE=$(sqlite3 "$DB" "SELECT e.id FROM edge e JOIN ident i ON i.key = e.src
    WHERE i.id = '$BIGGEST' AND e.snap_to IS NULL ORDER BY e.id LIMIT 1")
measure offboard "$(tmo 30)" 0 "$AP" --db "$DB" --at "$AT" offboard "$BIGGEST"
row "offboard $BIGGEST ($bhow)" "$(judge offboard 30)"
measure what-if "$(tmo 30)" 0 "$AP" --db "$DB" --at "$AT" what-if "$BIGGEST" --revoke "$EDGE"
row "what-if $BIGGEST --revoke $EDGE (its first edge by id)" "$(judge what-if 30)"
measure delegation "$(tmo 10)" 0 "$AP" --db "$DB" --at "$AT" delegation
row "delegation" "$(judge delegation 10)"
measure diff "$(tmo 60)" 0 "$AP" --db "$DB2" --at "$AT" diff 1 2
row "diff 1 2 (two identical snapshots)" "$(judge diff 60)"
measure export "$CAP" 0 "$AP" --db "$DB" --at "$AT" export --format graphml
row "export --format graphml" "$(judge export -)"

# one partner, cold (a new process each): TARGET is the first resource ONE reaches
measure authority "$(tmo 0.5)" 1 "$AP" --db "$DB" --at "$AT" authority "$ONE" --format csv
row "authority $ONE --format csv (cold)" "$(judge authority 0.5)"
# the same, to its first byte: the budget is 0.5 s before the first answer; the table is written
# whole or not at all (a temporary file first), so its first byte comes with its last
fb=$( (ulimit -v $((VMEM_MIB * 1024)); ulimit -t "$(tmo 0.5)"
       python3 "$SRC/bench/first_byte.py" "$AP" --db "$DB" --at "$AT" authority "$ONE" \
           --format csv) || echo "- - 0 failed")
set -- $fb
t=$2
[ "$CLOCK" = wall ] && t=$1
if [ "$4" = ok ] && awk -v t="$t" 'BEGIN { exit !(t >= 0 && t <= 0.5) }'; then fbv=met
else fbv="NOT MET: $t s $CLOCK at the first byte ($4)"; fi
row "authority $ONE --format csv (cold): first byte" "$1 | $2 | - | $3 | <= 0.5 s | $fbv"
# read as CSV (an id may hold quotes, commas and newlines); the first whose id can stand in
# a table row
TARGET=$(python3 -c 'import csv, re, sys
for row in csv.DictReader(open(sys.argv[1], newline="")):
    if row["KIND"] == "resource" and re.fullmatch(r"[A-Za-z0-9_.:@-]+", row["ID"]):
        print(row["ID"])
        break' "$DIR/authority.out")
if [ -n "$TARGET" ]; then
    measure explain "$(tmo 0.5)" 0 "$AP" --db "$DB" --at "$AT" explain "$ONE" "$TARGET"
    row "explain $ONE $TARGET (cold)" "$(judge explain 0.5)"
    measure paths "$(tmo 0.5)" 0 "$AP" --db "$DB" --at "$AT" paths "$ONE" --to "$TARGET"
    row "paths $ONE --to $TARGET (cold)" "$(judge paths 0.5)"
else
    row "explain, paths $ONE (cold)" "- | - | - | - | <= 0.5 s, 2048 MiB | NOT MET: not run, \
authority $ONE gave no resource to explain"
fi

# the commands issue 18's table leaves out, against the project's own budgets (docs/design.md,
# "Budgets"): a partner's every sensitive target, the inventory, the evidence packs
measure paths-all "$(tmo 10)" 0 "$AP" --db "$DB" --at "$AT" paths "$ONE"
row "paths $ONE (every sensitive target; the project's budget)" "$(judge paths-all 10)"
measure inventory "$(tmo 60)" 0 "$AP" --db "$DB" --at "$AT" inventory
row "inventory (the project's budget)" "$(judge inventory 60)"
measure inventory-csv "$(tmo 60)" 0 "$AP" --db "$DB" --at "$AT" inventory --format csv
row "inventory --format csv (the project's budget)" "$(judge inventory-csv 60)"
UNTIL=$(date -u -d "$AT + 1 year" +%Y-%m-%d 2>/dev/null || echo 2099-01-01)
measure until "$(tmo 60)" 0 "$AP" --db "$DB" --at "$AT" what-if --until "$UNTIL"
row "what-if --until $UNTIL (every partner's forecast; the project's budget)" \
    "$(judge until 60)"
measure report-one "$(tmo 120)" 0 "$AP" --db "$DB" --at "$AT" report "$ONE"
row "report $ONE (the project's budget)" "$(judge report-one 120)"
measure report "$(tmo 300)" 0 "$AP" --db "$DB" --at "$AT" report
row "report (the estate, 20 sections; the project's budget)" "$(judge report 300)"
rm -f "$DIR"/*.out "$DB" "$DB-graph" "$DB2" "$DB2-graph"
[ "${BUDGET_ROWS_ONLY:-0}" = 1 ] ||
    printf '\n- Load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
