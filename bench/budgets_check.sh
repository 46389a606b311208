#!/bin/sh
# bench/budgets_check.sh: checks bench/budgets.sh on a tiny estate: a whole row with a verdict per
# command, and runs killed by the CPU cap, the timeout or lack of memory named as such.
#
#   bench/budgets_check.sh [BUILD]     BUILD (default build) holds authpath, ap_bench_gen and
#                                      ap_bench_peers; about 10 CPU-s; exit 0 when all hold;
#                                      KEEP=1 keeps its directory
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
DIR=$(mktemp -d /tmp/ap-budgets-check.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"' EXIT
fail=0
"$BUILD/ap_bench_gen" 0.2 1 "$DIR" dense 2> /dev/null
N=$DIR/estate-dense-0.2-nodes.csv
E=$DIR/estate-dense-0.2-edges.csv

# check NAME FILE: 23 rows (3 import, 3 partners, 2 findings, offboard, what-if, delegation,
# diff, export, 4 one-partner (authority, its first byte, explain, paths), paths to every
# target, 2 inventory, the forecast, 2 report), 8 non-blank cells each, a verdict in each
check() {
    rows=$(grep -c '^| tiny |' "$2" || true)
    [ "$rows" = 23 ] || { echo "FAIL $1: $rows rows, not 23" >&2; fail=1; }
    if awk -F'|' '/^\| tiny \|/ { for (i = 2; i <= 9; i++) if ($i ~ /^ *$/) bad = 1;
                                  if (NF != 10) bad = 1 } END { exit !bad }' "$2"; then
        echo "FAIL $1: a blank cell or a cell count other than 8" >&2
        fail=1
    fi
    if grep '^| tiny |' "$2" | grep -v -e '| met |$' -e '| NOT MET: .* |$' >&2; then
        echo "FAIL $1: a row without a verdict" >&2
        fail=1
    fi
}

# the plain run: the one-partner commands find a target, the partners a ranking
BUILD=$BUILD BUDGET_DIR=$DIR/a LABEL=tiny NAIVE_CPU=1 "$SRC/bench/budgets.sh" "$N" "$E" \
    > "$DIR/a.md"
check plain "$DIR/a.md"
grep -q '^| tiny | offboard p[0-9]* (first of partners' "$DIR/a.md" ||
    { echo "FAIL plain: no BIGGEST partner" >&2; fail=1; }
grep -q '^| tiny | what-if p[0-9]* --revoke e[0-9]* ' "$DIR/a.md" ||
    { echo "FAIL plain: no ONE-EDGE" >&2; fail=1; }
grep -q '^| tiny | explain p0 x[0-9]* (cold)' "$DIR/a.md" ||
    { echo "FAIL plain: no TARGET" >&2; fail=1; }

# the verdicts of runs that do not end well, from a stand-in for authpath: SARIF findings spin
# until the CPU cap (1 s), export sleeps past the wall timeout (10 s), JSON partners report
# running out of memory as authpath does; the other commands are the real ones
cat > "$DIR/ap" <<EOS
#!/bin/sh
case " \$* " in
*" findings --format sarif "*) while :; do :; done ;;
*" export "*) exec sleep 60 ;;
*" partners --format json "*) echo 'authpath: out of memory' >&2; exit 3 ;;
esac
exec "$BUILD/authpath" "\$@"
EOS
chmod +x "$DIR/ap"
BUILD=$BUILD AP=$DIR/ap BUDGET_DIR=$DIR/b LABEL=tiny NAIVE_CPU=1 BUDGET_TIMEOUT_X=0.01 \
    BUDGET_TIMEOUT_MIN=1 BUDGET_CAP=1 BUDGET_WALL_X=10 "$SRC/bench/budgets.sh" "$N" "$E" \
    > "$DIR/b.md"
check capped "$DIR/b.md"
grep -q '^| tiny | findings --format sarif | .* | NOT MET: killed by the CPU cap at 1 s |$' \
    "$DIR/b.md" || { echo "FAIL capped: sarif not reported killed by the CPU cap" >&2; fail=1; }
grep -q '^| tiny | export --format graphml | .* | NOT MET: killed by timeout at 10 s wall |$' \
    "$DIR/b.md" || { echo "FAIL capped: export not reported killed by the timeout" >&2; fail=1; }
grep -q '^| tiny | partners --format json | .* | NOT MET: out of memory under ulimit -v' \
    "$DIR/b.md" || { echo "FAIL capped: partners json not reported out of memory" >&2; fail=1; }
grep -q '^| tiny | findings | .* | met |$' "$DIR/b.md" ||
    { echo "FAIL capped: findings (real, within 1 s) not met" >&2; fail=1; }
[ "$fail" = 0 ] && echo "budgets_check: ok"
exit "$fail"
