#!/bin/sh
# tests/reliability/read_only.sh: a database the user may not write (a 0400 file, or a file in
# a read-only directory) fails an import with a clear message and changes nothing. A 0400 file
# is still queried; in a read-only folder SQLite cannot create its WAL files, and says so. As root, which ignores permissions, the commands run as nobody.
# Usage: read_only.sh AUTHPATH SRC WORK
. "$(dirname "$0")/common.sh"
as_user=""
base=$WORK
if [ "$(id -u)" = 0 ]; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    # nobody must reach the databases: the build tree may sit under a 0700 folder (mktemp -d)
    base=$(mktemp -d)
    chmod 0755 "$base"
    trap 'rm -rf "$base"' EXIT
fi
run() { $as_user "$AP" "$@"; }
for variant in file dir; do
    dir=$base/$variant
    db=$dir/ro.db
    mkdir -p "$dir"
    "$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "first import"
    before=$(state "$db")
    [ -n "$as_user" ] && chown -R 65534:65534 "$dir"
    if [ $variant = file ]; then
        chmod 0400 "$db"
    else
        chmod 0500 "$dir"
    fi
    if [ $variant = file ]; then
        out=$(run --db "$db" --at 2026-01-01 partners --format csv) || fail "query refused"
        [ "$(echo "$out" | wc -l)" -gt 1 ] || fail "query empty"
    else
        # SQLite cannot start its WAL files there: refused, with the reason
        run --db "$db" --at 2026-01-01 partners 2>"$WORK/err" && fail "dir: query ran"
        cat "$WORK/err"
        grep -q "^authpath: cannot read database .*: its folder is read-only" "$WORK/err" \
            || fail "dir: no clear message for the query"
    fi
    rc=0
    run --db "$db" import "$SRC/samples/estate.yaml" 2>"$WORK/err" || rc=$?
    cat "$WORK/err"
    [ $rc = 3 ] || [ $rc = 2 ] || fail "$variant: import exit status $rc"
    grep -q "^authpath: .*read-only" "$WORK/err" \
        || fail "$variant: no clear message"
    chmod 0700 "$dir"
    chmod 0600 "$db"
    integrity "$db"
    [ "$(state "$db")" = "$before" ] || fail "$variant: the snapshot changed"
done
