#!/bin/sh
# bench/run.sh: the scale benchmark. For each scale S and estate shape: generate the estate, then
# time (median of 3, /usr/bin/time -v: wall and peak RSS) authpath and its peers on the same data.
#
#   bench/run.sh [S...]          default: 1 10 100; BUILD (default build) holds the binaries
#   BENCH_SHAPES="sparse dense cyclic"   bench/gen.c's shapes: sparse ~1% reach per partner at
#                                S=100; dense ~9% through shared hubs; cyclic, a giant masked
#                                and gated can_assume structure; also indep and indep-scc,
#                                bench/gen_indep.py's estates (a generator not tuned with the
#                                kernel: ~8% reach; and its denser reach into a larger SCC)
#   BENCH_DIR=/tmp/ap-bench      where estates, databases and raw timings go
#   BENCH_PG=0                   skip PostgreSQL
#   BENCH_PEERS_MAX_S=100        the peers (looped engine, igraph, CTEs) run up to this scale;
#                                above it only authpath and the sqlite3 import floor, once each
#   BENCH_BUDGETS_MAX_S=100      bench/budgets.sh (issue 18's budget table: every command under a
#                                memory cap and a timeout, met / NOT MET) runs up to this scale;
#                                its BUDGET_* variables pass through (BUDGET_REPS=1: its REPS)
# Prints one Markdown table row per measurement, then the budgets' table (bench/RESULTS.md keeps
# them). A row is printed whole once its figures are in; a failed measurement ends the run.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
DIR=${BENCH_DIR:-/tmp/ap-bench}
AT=2026-06-01
REPS=3
CAP=600                              # a peer that would take longer is timed on a sample
PG_PORT=${BENCH_PG_PORT:-54329}
AP=$BUILD/authpath
GEN=$BUILD/ap_bench_gen
PEERS=$BUILD/ap_bench_peers
mkdir -p "$DIR"
[ $# -gt 0 ] || set -- 1 10 100

# run N NAME CMD...: N runs; writes "median_wall median_rss_MiB median_cpu" of them to
# DIR/NAME.med (cpu: user + system seconds, which other jobs on a shared machine stretch far less
# than wall time); `med NAME` reads them back. A failed run ends the benchmark (the EXIT trap
# stops PostgreSQL), before any row is printed with its figures missing.
run() {
    reps=$1
    name=$2
    shift 2
    : > "$DIR/$name.times"
    i=0
    while [ $i -lt "$reps" ]; do
        /usr/bin/time -v -o "$DIR/$name.tv" "$@" > "$DIR/$name.out" 2> "$DIR/$name.err" || {
            echo "bench: $name failed:" >&2
            cat "$DIR/$name.err" >&2
            exit 1
        }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":");
                  s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$DIR/$name.tv")
        rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' \
                  "$DIR/$name.tv")
        cpu=$(awk -F': ' '/(User|System) time/ { s += $2 } END { printf "%.2f", s }' \
                  "$DIR/$name.tv")
        echo "$wall $rss $cpu" >> "$DIR/$name.times"
        i=$((i + 1))
    done
    { sort -n "$DIR/$name.times" | awk '{ w[NR] = $1; r[NR] = $2 } END {
          m = int((NR + 1) / 2); printf "%s %s ", w[m], r[m] }'
      sort -n -k3 "$DIR/$name.times" | awk '{ c[NR] = $3 } END { print c[int((NR + 1) / 2)] }'
    } > "$DIR/$name.med"
}
med() { cat "$DIR/$1.med"; }

# the seconds a peers line reports for all partners (extrapolated when sampled), and its CPU
peer_all() { sed -n 's/.* all=\([0-9.]*\).*/\1/p' "$DIR/$1.out"; }
peer_cpu() { sed -n 's/.* cpu=\([0-9.]*\).*/\1/p' "$DIR/$1.out"; }
peer_n() { sed -n 's/.* partners=\([0-9]*\) of \([0-9]*\).*/\1 of \2/p' "$DIR/$1.out"; }

row() { printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$S" "$shape" "$2" "$3" "$4" "$5" \
    "$6" "$7"; }

pg_start() {
    [ "${BENCH_PG:-1}" = 1 ] || return 1
    PGBIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null) || return 1
    PGDATA=$DIR/pgdata
    if [ ! -d "$PGDATA" ]; then
        mkdir -p "$PGDATA"
        chown postgres "$PGDATA" "$DIR" 2>/dev/null || true
        runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U bench > /dev/null
    fi
    # a server an earlier, killed run left behind is stopped first
    if runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" status > /dev/null 2>&1; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop > /dev/null
    fi
    PG_UP=1
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$DIR/pg.log" -w \
        -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=1GB" start \
        > /dev/null
}
pg_stop() {
    [ "${PG_UP:-0}" = 1 ] || return 0
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop > /dev/null
    PG_UP=0
}
# whatever ends the run (a failed measurement, ^C, kill) leaves no server behind
trap 'pg_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PSQL="psql -X -q -h 127.0.0.1 -p $PG_PORT -U bench -d postgres -v ON_ERROR_STOP=1"
psql_b() { $PSQL "$@"; }

# a recursive CTE from NP partners p0..p(k-1), the peers' reachability: live traversable edges
cte_sql() {
    k=0
    while [ "$k" -lt "$1" ]; do
        echo "WITH RECURSIVE r(id) AS (SELECT 'p$k' UNION SELECT e.dst FROM edges e JOIN r"
        echo "  ON e.src = r.id WHERE e.kind <> 'depends_on'"
        echo "  AND coalesce(e.state, '') IN ('', 'active', 'under_review'))"
        echo "SELECT count(*) FROM r;"
        k=$((k + 1))
    done
}

# budgets NAIVE_CPU: bench/budgets.sh on this estate (up to BENCH_BUDGETS_MAX_S), its rows kept
# in DIR/budgets.md for the table printed after the grid; NAIVE_CPU is the naive worklist's CPU
# seconds over all partners from this run (empty: budgets.sh measures it)
budgets() {
    [ "$S" -le "${BENCH_BUDGETS_MAX_S:-100}" ] || return 0
    BUILD=$BUILD AP=$AP PEERS=$PEERS BUDGET_DIR=$DIR/budgets-$tag AT=$AT NAIVE_CPU=$1 \
        REPS=${BUDGET_REPS:-1} \
        LABEL="S=$S $shape" BUDGET_ROWS_ONLY=1 "$SRC/bench/budgets.sh" "$nodes" "$edges" \
        > "$DIR/budgets-$tag.md"
    cat "$DIR/budgets-$tag.md" >> "$DIR/budgets.md"
}

# the machine and the build, so a pasted table says where it came from
commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
igv=$(pkg-config --modversion igraph 2>/dev/null || echo '?')
pgv=$(psql --version 2>/dev/null || echo 'no psql')
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit"
echo "- Machine: nproc $(nproc), memory $mem, $(uname -m)"
echo "- Versions: SQLite $(sqlite3 --version | cut -d' ' -f1), igraph $igv, $pgv"
echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
: > "$DIR/budgets.md"
echo "| S | shape | measurement | wall (s, median of $REPS) | CPU (s) | peak RSS (MiB) |" \
     "ratio to authpath | note |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for S in "$@"; do
for shape in ${BENCH_SHAPES:-sparse dense cyclic}; do
    REPS=3
    peers=1
    if [ "$S" -gt "${BENCH_PEERS_MAX_S:-100}" ]; then
        REPS=1
        peers=0
    fi
    tag=$S
    [ "$shape" = sparse ] || tag=$shape-$S
    case $shape in
    indep|indep-*)      # bench/gen_indep.py (a generator not tuned with the kernel), seed 1
        preset=${shape#indep}
        python3 "$SRC/bench/gen_indep.py" "$S" 1 "$DIR" ${preset#-} 2> "$DIR/gen-$tag.raw"
        mv "$DIR/$shape-$S-nodes.csv" "$DIR/estate-$tag-nodes.csv"
        mv "$DIR/$shape-$S-edges.csv" "$DIR/estate-$tag-edges.csv"
        sed -n 's/^.*: nodes \([0-9]*\), edges \([0-9]*\), partners \([0-9]*\)$/gen: \1 nodes, \2 edges, \3 partners/p' \
            "$DIR/gen-$tag.raw" > "$DIR/gen-$tag.log" ;;
    *)
        "$GEN" "$S" 1 "$DIR" "$shape" 2> "$DIR/gen-$tag.log" ;;
    esac
    nodes=$DIR/estate-$tag-nodes.csv
    edges=$DIR/estate-$tag-edges.csv
    db=$DIR/s$tag.db
    np=$(grep -c '^p[0-9]*,partner,' "$nodes")
    row "$S" "estate" "-" "-" "-" "-" "$(cat "$DIR/gen-$tag.log" | sed 's/^gen: //')"

    # import, three times into a fresh database; the last one stays for the queries
    run $REPS "import-$tag" \
        sh -c "rm -f $db $db-wal $db-shm && $AP --db $db import $nodes $edges"
    set -- $(med "import-$tag")
    imp=$1
    row "$S" "authpath import" "$1" "$3" "$2" "1" "native CSV pair, one transaction"
    run $REPS "sqlite-import-$tag" sh -c "rm -f $DIR/raw$tag.db && sqlite3 $DIR/raw$tag.db \
        '.import --csv $nodes nodes' \
        '.import --csv $edges edges0' \
        'CREATE TABLE edges AS SELECT id, \"from\" AS src, \"to\" AS dst, kind, rights, requires,
           escalates, state, valid_from, expires FROM edges0; DROP TABLE edges0;
         CREATE INDEX nodes_id ON nodes(id); CREATE INDEX edges_src ON edges(src);'"
    set -- $(med "sqlite-import-$tag")
    row "$S" "sqlite3 .import + indexes" "$1" "$3" "$2" \
        "$(awk -v a="$imp" -v b="$1" 'BEGIN { printf "%.2f", a / b }')" \
        "the floor: authpath import / sqlite3 shell"

    run $REPS "load-$tag" "$PEERS" "$db" "$AT" load 1
    set -- $(med "load-$tag")
    row "$S" "cold start (open + load graph)" \
        "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$DIR/load-$tag.out")" "$(peer_cpu "load-$tag")" \
        "$2" "-" "in-process time; RSS of the process"
    run $REPS "one-$tag" "$PEERS" "$db" "$AT" one 1
    set -- $(med "one-$tag")
    row "$S" "one partner's authority (after load)" "$(peer_all "one-$tag")" \
        "$(peer_cpu "one-$tag")" "$2" "-" "p0"
    run $REPS "authority-$tag" "$AP" --db "$db" --at "$AT" authority p0 --format csv
    set -- $(med "authority-$tag")
    row "$S" "authpath authority p0 (CLI, cold)" "$1" "$3" "$2" "-" ""

    run $REPS "partners-$tag" "$AP" --db "$db" --at "$AT" partners --format csv
    set -- $(med "partners-$tag")
    cli=$1
    row "$S" "authpath partners (CLI: load + kernel + output)" "$1" "$3" "$2" "-" \
        "$np partners"
    run $REPS "kernel-$tag" "$PEERS" "$db" "$AT" kernel 2
    set -- $(med "kernel-$tag")
    kern=$(peer_all "kernel-$tag")
    reach=$(sed -n 's/.* reach_total=\([0-9]*\).*/\1/p' "$DIR/kernel-$tag.out")
    row "$S" "authpath all-partners kernel (in-process)" "$kern" "$(peer_cpu "kernel-$tag")" \
        "$2" "1" "2 threads; $reach partner-node pairs ($(awk -v r="$reach" -v p="$np" \
        -v n="$(sed -n 's/^gen: \([0-9]*\) nodes.*/\1/p' "$DIR/gen-$tag.log")" \
        'BEGIN { printf "%.1f", 100 * r / p / n }')% of the estate per partner)"

    if [ "$peers" = 0 ]; then
        row "$S" "peers" "-" "-" "-" "-" "not run above S=${BENCH_PEERS_MAX_S:-100}"
        budgets ""
        continue
    fi
    # the peers: sampled when the whole run would pass CAP seconds; the naive worklist on a
    # tenth at S=100 (on the independent estate a hundredth came to 100-116 s extrapolated, a
    # tenth to 69 s, the whole run to 52-64 s: budgets.sh's NAIVE_SAMPLE)
    lim=$np
    [ "$S" -lt 100 ] || lim=$((np / 10))
    nlim=$lim
    [ "$S" -lt 100 ] || [ "$shape" = sparse ] || lim=$((np / 100))
    run 1 "naive-$tag" "$PEERS" "$db" "$AT" naive 1 "$nlim"
    set -- $(med "naive-$tag")
    t=$(peer_all "naive-$tag")
    row "$S" "naive rights worklist per partner (C)" "$t" "$(peer_cpu "naive-$tag")" "$2" \
        "$(awk -v a="$t" -v b="$kern" 'BEGIN { printf "%.1f", a / b }')" \
        "$(peer_n "naive-$tag"); reach $(sed -n 's/.* reach_total=\([0-9]*\).*/\1/p' \
        "$DIR/naive-$tag.out") partner-node pairs"
    run 1 "loop-$tag" "$PEERS" "$db" "$AT" loop 1 "$lim"
    set -- $(med "loop-$tag")
    t=$(peer_all "loop-$tag")
    row "$S" "authpath single-source engine, looped" "$t" "$(peer_cpu "loop-$tag")" "$2" \
        "$(awk -v a="$t" -v b="$kern" 'BEGIN { printf "%.1f", a / b }')" "$(peer_n "loop-$tag")"
    run 1 "igraph-$tag" "$PEERS" "$db" "$AT" igraph 1 "$lim"
    set -- $(med "igraph-$tag")
    t=$(peer_all "igraph-$tag")
    row "$S" "igraph BFS per partner (no rights)" "$t" "$(peer_cpu "igraph-$tag")" "$2" \
        "$(awk -v a="$t" -v b="$kern" 'BEGIN { printf "%.1f", a / b }')" "$(peer_n "igraph-$tag")"

    sample=$((np < 20 ? np : 20))
    cte_sql "$sample" > "$DIR/cte-$tag.sql"
    run 1 "sqlite-cte-$tag" sh -c "sqlite3 $DIR/raw$tag.db < $DIR/cte-$tag.sql"
    set -- $(med "sqlite-cte-$tag")
    t=$(awk -v a="$1" -v n="$sample" -v all="$np" 'BEGIN { printf "%.1f", a * all / n }')
    c=$(awk -v a="$3" -v n="$sample" -v all="$np" 'BEGIN { printf "%.1f", a * all / n }')
    row "$S" "SQLite recursive CTE" "$t" "$c" "$2" \
        "$(awk -v a="$t" -v b="$kern" 'BEGIN { printf "%.0f", a / b }')" \
        "timed on $sample of $np partners, extrapolated"

    if pg_start; then
        psql_b -c "DROP TABLE IF EXISTS edges; CREATE UNLOGGED TABLE edges(id text, src text,
            dst text, kind text, rights text, requires text, escalates text, state text,
            valid_from text, expires text)" > /dev/null
        psql_b -c "\\copy edges FROM '$edges' CSV HEADER" > /dev/null
        psql_b -c "CREATE INDEX ON edges(src); ANALYZE edges" > /dev/null
        run 1 "pg-cte-$tag" sh -c "$PSQL -f $DIR/cte-$tag.sql"
        set -- $(med "pg-cte-$tag")
        t=$(awk -v a="$1" -v n="$sample" -v all="$np" 'BEGIN { printf "%.1f", a * all / n }')
        row "$S" "PostgreSQL 15 WITH RECURSIVE" "$t" "-" "-" \
            "$(awk -v a="$t" -v b="$kern" 'BEGIN { printf "%.0f", a / b }')" \
            "timed on $sample of $np partners, extrapolated; the server's CPU and RSS not shown"
        pg_stop
    fi
    budgets "$(peer_cpu "naive-$tag")"
done
done
if [ -s "$DIR/budgets.md" ]; then
    echo
    echo "Issue 18's budgets (bench/budgets.sh; judged on CPU seconds, every command under" \
         "ulimit -v ${BUDGET_VMEM_MIB:-3072} MiB and a timeout):"
    echo
    echo "| estate | command | wall (s) | CPU (s) | peak RSS (MiB) | output (bytes) | budget |" \
         "status |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    cat "$DIR/budgets.md"
fi
