#!/bin/sh
# tests/cli/paths_stream.sh: `paths --format json` and `--format csv` are written a path at a
# time: 20,000 targets (64 MB of JSON) took 392 MiB built as one tree, 61 MiB streamed; the CSV
# (18 MB) 80 MiB as a table, 61 MiB a row at a time (the graph and the paths found take 60).
# The bytes are the whole document's (tests/cli/stream_check.py).
# Usage: paths_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 400 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" 3a3e277a23d2ce21ac5ba37a4c178db4 200 "$WORK/paths.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 paths p00 --format json \
    || fail "paths JSON not streamed"
python3 "$SRC/tests/cli/stream_check.py" fc2c3601d28510b89d9986ffd84011c1 70 "$WORK/paths.csv" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 paths p00 --format csv || fail "paths CSV not streamed"
echo ok
