#!/bin/bash
# tests/golden/update.sh: regenerate the golden files of the cases named (default: all) after a
# deliberate output change. Usage: tests/golden/update.sh [BUILD_DIR] [CASE.args...]
set -e
cd "$(dirname "$0")/../.."
build=${1:-build}
[ $# -gt 0 ] && shift
cases=${*:-$(find tests/golden -name '*.args' | sort)}
dir=$(mktemp -d)
db=$dir/golden.db
export AUTHPATH_DB=$db SOURCE_DATE_EPOCH=1767225600
for args in $cases; do
    c=${args%.args}
    rm -f "$db" "$db-wal" "$db-shm"
    setup=samples/estate.json
    [ -f "$c.setup" ] && setup=$(cat "$c.setup")
    for f in $setup; do
        [ "$f" = none ] || "$build/authpath" import "$f" 2>/dev/null
    done
    mapfile -t argv < "$args"
    rc=0
    "$build/authpath" "${argv[@]}" > "$c.out" 2> "$c.err" || rc=$?
    rm -f "$c.rc"
    [ $rc -ne 0 ] && echo $rc > "$c.rc"
    [ -s "$c.err" ] || rm -f "$c.err"
    [ -s "$c.out" ] || rm -f "$c.out"
    echo "updated $c (exit $rc)"
done
rm -rf "$dir"
