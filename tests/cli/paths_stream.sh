#!/bin/sh
# tests/cli/paths_stream.sh: `paths --format json` and `--format csv` are written a path at a
# time: 4,000 targets with long ids (32 MB of JSON) took 165 MiB built as one tree, 45 MiB
# streamed; the CSV (16 MB) 61 MiB as a table, 45 MiB a row at a time (the graph and the
# paths found take 44). The bytes are the whole document's (tests/cli/stream_check.py).
# Usage: paths_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 4000 2000 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" 7334d13edc94ad37f74995f1e86eae70 100 "$WORK/paths.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 paths p00 --format json \
    || fail "paths JSON not streamed"
python3 "$SRC/tests/cli/stream_check.py" 2f347b0b5c61524fdd0a05647aa26913 52 "$WORK/paths.csv" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 paths p00 --format csv || fail "paths CSV not streamed"
echo ok
