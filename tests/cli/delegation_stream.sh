#!/bin/sh
# tests/cli/delegation_stream.sh: `delegation --format json` is written a chain at a time: 2,000
# subcontractor chains (2.4 MB of JSON) took 37 MiB built as one tree, 22 MiB streamed; the
# bytes are the whole document's (tests/cli/stream_check.py).
# Usage: delegation_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 400 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" df118101ba874192158928a59d544fea 30 "$WORK/deleg.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 delegation --format json \
    || fail "delegation JSON not streamed"
echo ok
