#!/bin/sh
# tests/cli/whatif_json_stream.sh: `what-if --format json` is written a piece at a time: what
# breaks when hub goes (20,000 depends_on edges, 19 MB of JSON) took 157 MiB built as one tree,
# 82 MiB streamed; the bytes are the whole document's (tests/cli/stream_check.py).
# Usage: whatif_json_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 400 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" cf97561074e1c960d1165745747ee21c 120 "$WORK/whatif.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 what-if p00 --revoke hub --format json \
    || fail "what-if JSON not streamed"
echo ok
