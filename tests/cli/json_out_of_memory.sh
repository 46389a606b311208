#!/bin/sh
# tests/cli/json_out_of_memory.sh: a JSON answer is printed whole or not at all: under a memory
# cap either exit 0 and JSON that parses, or exit 3, nothing on stdout and a message. jansson's
# json_dumpf wrote as it went and, out of memory half-way (offboard --all on 300 partners x
# 300 shared keys under 2 GiB), the command exited 3 with a newline on stdout and no message.
# Streamed (ap_json_writer, into a temporary file) the answer here needs about 67 MB of address
# space, not 600: the caps around it must still fail cleanly or answer whole.
# The plain tree only: ASan's shadow memory cannot run under ulimit -v.
# Usage: json_out_of_memory.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
if ldd "$AP" 2>/dev/null | grep -q 'libasan'; then
    echo "skipped under the sanitizers"
    exit 0
fi
db=$WORK/b.db
python3 "$SRC/tests/reliability/gen_adversarial.py" bipartite 30 "$WORK/est" || fail "generator"
"$AP" --db "$db" import "$WORK/est/nodes.csv" "$WORK/est/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
failed=0
whole=''
for mb in 56 60 64 68 72 100 600; do
    rc=0
    (ulimit -v $((mb * 1024)); exec "$AP" --db "$db" --at 2026-01-01 offboard bp0 --all \
        --format json) >"$WORK/out" 2>"$WORK/err" || rc=$?
    case $rc in
    0) # parsed once (54 MB: json.tool took 15 s a cap); every other answer is the same bytes
       if [ -z "$whole" ]; then
           python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/out" \
               || fail "$mb MB: exit 0, JSON does not parse"
           whole=$WORK/whole
           mv "$WORK/out" "$whole"
       else
           cmp -s "$WORK/out" "$whole" || fail "$mb MB: exit 0, not the answer of a smaller cap"
       fi ;;
    3) [ ! -s "$WORK/out" ] || fail "$mb MB: exit 3 after $(wc -c <"$WORK/out") bytes on stdout"
       grep -q '^authpath: ' "$WORK/err" || fail "$mb MB: exit 3 without a message"
       failed=$((failed + 1)) ;;
    127) ;;                 # below what the loader needs to map the libraries: not ours
    *) fail "$mb MB: exit $rc: $(cat "$WORK/err")" ;;
    esac
done
[ "$failed" -gt 0 ] || fail "no cap was small enough: the test no longer tests anything"
echo ok
