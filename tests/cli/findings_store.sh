#!/bin/sh
# tests/cli/findings_store.sh: findings keep their evidence in a temporary file in $TMPDIR,
# removed as soon as it is made: the output is the same whatever the directory, nothing is left
# in it, and a directory that cannot take the file is a clear error with nothing printed.
# Usage: findings_store.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/f.db
"$AP" --db "$db" import "$SRC/samples/estate.json" >/dev/null 2>&1 || fail "import"
q() { "$AP" --db "$db" --at 2026-11-01 findings "$@"; }
mkdir -p "$WORK/tmp"
TMPDIR= q --format csv >"$WORK/default.csv" || fail "findings with the default directory"
[ "$(wc -l <"$WORK/default.csv")" -gt 5 ] || fail "too few findings to say anything"
TMPDIR=$WORK/tmp q --format csv >"$WORK/here.csv" || fail "findings with TMPDIR set"
cmp -s "$WORK/default.csv" "$WORK/here.csv" || fail "the output depends on TMPDIR"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "a temporary file was left behind: $(ls -A "$WORK/tmp")"
rc=0
TMPDIR=$WORK/missing q --format csv >"$WORK/none.csv" 2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "no store, yet status $rc"
[ ! -s "$WORK/none.csv" ] || fail "a half-written result without a store"
grep -q "^authpath: cannot write findings to a temporary file in $WORK/missing: " "$WORK/err" \
    || fail "no clear message: $(cat "$WORK/err")"
echo "findings: same output in any TMPDIR, nothing left there, a clear error without one"
