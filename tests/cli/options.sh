#!/bin/sh
# tests/cli/options.sh: every numeric option and argument takes a whole number in its range
# and nothing else (overflow, sign, spaces, fractions refused with exit 2 and the option's
# name), and node ids that start with '-' work after `--`. Usage: options.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/opt.db
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "import"
"$AP" --db "$db" import "$SRC/samples/estate.yaml" 2>/dev/null || fail "import"
refused() {     # refused WHAT ARGS...: exit 2 with a message naming WHAT, nothing on stdout
    what=$1
    shift
    rc=0
    out=$("$AP" --db "$db" "$@" 2>"$WORK/err") || rc=$?
    [ $rc = 2 ] || fail "$*: exit $rc, expected 2"
    [ -z "$out" ] || fail "$*: printed '$out'"
    grep -q -- "$what" "$WORK/err" || fail "$*: the message does not name $what: $(cat "$WORK/err")"
}
for bad in 99999999999999999999 18446744073709551617 -1 0 " 5" "5 " 1.5 1e3 0x10 "" +3; do
    refused --max-nodes import --max-nodes "$bad" "$SRC/samples/estate.json"
    refused --max-edges import --max-edges "$bad" "$SRC/samples/estate.json"
    refused --snapshot --snapshot "$bad" partners
    case $bad in
    -*) what="invalid option" ;;    # getopt's: a positional argument cannot start with '-'
    *) what="not a snapshot number" ;;
    esac
    refused "$what" diff "$bad" 2
    refused "$what" diff 1 "$bad"
    refused --max-depth paths contoso --max-depth "$bad"
    refused --max-paths paths contoso --max-paths "$bad"
done
for bad in 99999999999999999999 -1 " 5" 1.5 100001; do
    refused --expiring inventory --expiring "$bad"
done
refused --max-nodes import --max-nodes 4294967296 "$SRC/samples/estate.json"
refused --max-depth paths contoso --max-depth 1001
refused --snapshot --snapshot 9223372036854775808 partners
# the largest values are taken
"$AP" --db "$db" --snapshot 1 partners >/dev/null || fail "--snapshot 1"
"$AP" --db "$db" paths contoso --max-depth 1000 --max-paths 10000 >/dev/null \
    || fail "the largest --max-depth and --max-paths"
"$AP" --db "$WORK/big.db" import --max-nodes 4294967295 "$SRC/samples/estate.json" 2>/dev/null \
    || fail "--max-nodes 4294967295"
"$AP" --db "$db" inventory --expiring 0 >/dev/null || fail "--expiring 0"

# ids that start with '-': after `--`; without it the message says so
dash=$WORK/dash.db
"$AP" --db "$dash" import "$SRC/tests/fixtures/cli/dash-ids.json" 2>/dev/null || fail "dash import"
"$AP" --db "$dash" --at 2026-11-01 authority -- -p | grep -q '^2 .*-db .*-p > --help > -db$' \
    || fail "authority -- -p"
[ "$("$AP" --db "$dash" --at 2026-11-01 explain -- -p -db)" = \
  "-p holds credential --help, which can read -db." ] || fail "explain -- -p -db"
"$AP" --db "$dash" --at 2026-11-01 paths --to -db -- -p | grep -q '^-db ' || fail "paths -- -p"
"$AP" --db "$dash" --at 2026-11-01 blast-radius --format json -- -p | grep -q '"id": "-p"' \
    || fail "blast-radius -- -p"
rc=0
"$AP" --db "$dash" authority -p 2>"$WORK/err" || rc=$?
[ $rc = 2 ] || fail "authority -p: exit $rc"
grep -q "goes after \`--\`: authpath authority -- -p" "$WORK/err" || fail "no hint: $(cat "$WORK/err")"
echo ok
