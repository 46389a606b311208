#!/bin/sh
# tests/cli/whatif_until_stream.sh: `what-if --until --format json` is written a piece at a time:
# the window's 20,000 expiring edges (20 MB of JSON) took 135 MiB built as one tree, 74 MiB
# streamed; the bytes are the whole document's (tests/cli/stream_check.py).
# Usage: whatif_until_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
python3 "$SRC/tests/cli/gen_stream.py" 20000 400 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
python3 "$SRC/tests/cli/stream_check.py" 83fe5817de400863981e2de0af0622fd 105 "$WORK/until.json" \
    "$AP" --db "$WORK/w.db" --at 2026-01-01 what-if --until 2026-04-01 --format json \
    || fail "what-if --until not streamed"
echo ok
