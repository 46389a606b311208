#!/bin/sh
# tests/cli/output.sh: --output FILE holds what standard output would, written whole or not at
# all: a failed command, a file size limit (EFBIG), SIGINT or SIGTERM leave neither FILE nor a
# temporary file; a write error on standard output is exit 3 with the reason; a query never
# creates a database. Usage: output.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/out.db
cd "$WORK"
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "import"
q() { "$AP" --db "$db" --at 2026-11-01 "$@"; }
# nothing but FILE in the folder: no temporary file left behind
only() {
    left=$(ls -A "$WORK/o" | tr "\n" " " | sed "s/ $//")
    [ "$left" = "$*" ] || fail "$step: the output folder holds '$left', expected '$*'"
}
mkdir o

step="same bytes"
for cmd in "findings --format json" "authority contoso" "partners --format csv" \
           "export --format graphml" "findings --format sarif"; do
    # shellcheck disable=SC2086
    q $cmd >want || fail "$step: $cmd"
    # shellcheck disable=SC2086
    out=$(q --output o/got $cmd) || fail "$step: $cmd --output"
    [ -z "$out" ] || fail "$step: $cmd --output also wrote to stdout"
    cmp -s want o/got || fail "$step: $cmd --output differs from its stdout"
    # the global option may come after the command too
    # shellcheck disable=SC2086
    q $cmd --output o/got2 || fail "$step: $cmd with --output last"
    cmp -s want o/got2 || fail "$step: $cmd with --output last differs"
    rm -f o/got o/got2
done
only ""

step="mode"
(umask 022; q --output o/m.txt partners) || fail "$step"
[ "$(stat -c %a o/m.txt)" = 644 ] || fail "$step: $(stat -c %a o/m.txt), not 644 under umask 022"
rm o/m.txt

step="existing mode kept"
echo old >o/secret.txt
chmod 600 o/secret.txt
q --output o/secret.txt partners || fail "$step"
[ "$(stat -c %a o/secret.txt)" = 600 ] || fail "$step: $(stat -c %a o/secret.txt), not 600"
rm o/secret.txt

step="a folder"
rc=0
q --output o partners 2>err || rc=$?
[ $rc = 2 ] || fail "$step: exit $rc"
grep -q "Is a directory" err || fail "$step: $(cat err)"
only ""

step="findings exit 1 is an answer"
rc=0
q --output o/f.json findings --fail-on low --format json || rc=$?
[ $rc = 1 ] || fail "$step: exit $rc"
only f.json
rm o/f.json

step="failed command"
echo previous >o/keep.txt
rc=0
q --output o/keep.txt authority no-such-partner 2>err || rc=$?
[ $rc = 2 ] || fail "$step: exit $rc"
[ "$(cat o/keep.txt)" = previous ] || fail "$step: the existing file was changed"
only keep.txt
rm o/keep.txt

step="file size limit"
# SIGXFSZ at its default: authpath itself must turn the limit into a clean failure
rc=0
(ulimit -f 16; exec "$AP" --db "$db" --output o/big.xml export --format graphml) 2>err || rc=$?
[ $rc = 3 ] || fail "$step: exit $rc ($(cat err))"
grep -q "^authpath: " err || fail "$step: no message"
only ""
rc=0
(ulimit -f 16; exec "$AP" --db "$db" --output o/csv export --format csv) 2>err || rc=$?
[ $rc = 3 ] || fail "$step: csv export exit $rc ($(cat err))"
only ""
"$AP" --db "$db" --output o/csv export --format csv || fail "csv export"
only "csv-edges.csv csv-nodes.csv csv-rights.csv"
rm o/csv-*

step="stdout write error"
rc=0
q findings >/dev/full 2>err || rc=$?
[ $rc = 3 ] || fail "$step: exit $rc on /dev/full"
grep -q "cannot write the output: No space left on device" err || fail "$step: $(cat err)"
rc=0
(ulimit -f 16; exec "$AP" --db "$db" export --format graphml >big.xml) 2>err || rc=$?
[ $rc = 3 ] || fail "$step: exit $rc past the file size limit"
grep -q "File too large\|cannot write" err || fail "$step: $(cat err)"

step="signals"
# An import waits for the write lock the sqlite3 shell holds: a run stopped in the middle.
for sig in INT TERM; do
    mkfifo hold
    sqlite3 "$db" <hold &
    holder=$!
    exec 9>hold
    echo "BEGIN IMMEDIATE; INSERT INTO vocab SELECT * FROM vocab WHERE 0;" >&9
    sleep 0.3
    # sh starts background jobs with SIGINT ignored: give it back its default
    env --default-signal=INT "$AP" --db "$db" --output o/sig.txt import \
        "$SRC/samples/estate.yaml" 2>/dev/null &
    pid=$!
    n=0
    until ls -A o | grep -q '^\.sig\.txt\.'; do
        n=$((n + 1))
        [ $n -lt 500 ] || fail "$step: no temporary file while the command runs"
        sleep 0.01
    done
    sleep 0.2
    kill -0 $pid 2>/dev/null || fail "$step: the import did not wait for the lock"
    kill -$sig $pid
    rc=0
    wait $pid || rc=$?
    echo "ROLLBACK;" >&9
    exec 9>&-
    wait $holder || true
    rm hold
    [ $rc -gt 128 ] || fail "$step: SIG$sig: exit $rc"
    only ""
done

step="no database"
rc=0
"$AP" --db "$WORK/absent.db" partners 2>err || rc=$?
[ $rc = 2 ] || fail "$step: exit $rc"
grep -q "no database '.*absent.db'" err || fail "$step: $(cat err)"
[ ! -e "$WORK/absent.db" ] || fail "$step: a query created the database"
echo ok
