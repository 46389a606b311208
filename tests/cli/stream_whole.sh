#!/bin/sh
# tests/cli/stream_whole.sh: every output written a piece at a time goes through a temporary
# file in $TMPDIR (cli_stream), so that stdout gets it whole or not at all: where none can be
# made, each says so (exit 3) and prints nothing, not the part it had written (findings says
# so first: its store of findings lives there too).
# Usage: stream_whole.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 50 0 "$WORK"
db=$WORK/w.db
for i in 1 2; do
    "$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
        || fail "import: $(cat "$WORK/err")"
done
n=0
while read -r args; do
    # shellcheck disable=SC2086  # the arguments are words
    "$AP" --db "$db" --at 2026-01-01 $args >"$WORK/ok.out" 2>"$WORK/err" \
        || [ $? -eq 1 ] || fail "$args: $(cat "$WORK/err")"
    [ -s "$WORK/ok.out" ] || fail "$args printed nothing with a temporary file"
    rc=0
    TMPDIR=$WORK/no-such-dir "$AP" --db "$db" --at 2026-01-01 $args >"$WORK/none.out" \
        2>"$WORK/err" || rc=$?
    [ "$rc" -eq 3 ] || fail "$args: exit $rc without a temporary file"
    [ ! -s "$WORK/none.out" ] || fail "$args: $(wc -c <"$WORK/none.out") bytes printed without one"
    grep -q "^authpath: cannot .* temporary file" "$WORK/err" \
        || fail "$args: no message: $(cat "$WORK/err")"
    n=$((n + 1))
done <<'CMDS'
authority p00 --format json
authority p00 --format csv
authority p00 --observed --format json
authority p00 --observed --format csv
partners --format json
partners --format csv
blast-radius p00 --format json
findings --format json
findings --format sarif
findings --format csv
findings --format text
export --format opengraph
export --format graphml
what-if p00 --revoke hub --format json
what-if --until 2026-04-01 --format json
paths p00 --format json
paths p00 --format csv
inventory --format json
inventory --format csv
delegation --format json
diff 1 2 --format csv
diff 1 2 --format json
offboard p00 --format json
CMDS
echo "ok: $n outputs"
