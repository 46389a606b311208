#!/bin/sh
# tests/cli/observed_stream.sh: `authority --observed --format json` and `--format csv` are
# written a reached node at a time: 20,000 nodes with their chains (55 MB of JSON) took
# 344 MiB built as one tree, 47 MiB streamed; the CSV (9 MB) 50 MiB as a table, 39 MiB a row at
# a time. The bytes are the whole document's (tests/cli/stream_check.py).
# Usage: observed_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 400 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" 77169bb3e377a1b30f4bf102511c91b0 150 "$WORK/obs.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 authority p00 --observed --format json \
    || fail "observed JSON not streamed"
python3 "$SRC/tests/cli/stream_check.py" 72059622dc4506c781afd98818becc22 45 "$WORK/obs.csv" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 authority p00 --observed --format csv \
    || fail "observed CSV not streamed"
echo ok
