#!/bin/sh
# tests/cli/report_memory.sh: the report ranks every partner by its blast radius but keeps an
# authority only for the partners it writes a section for: 620 partners of 4,241 nodes took
# 111 MiB holding every authority at once, 71 MiB so (S=10 dense: out of memory in 2 GiB,
# now 0.96 GiB). The same bytes (md5 of main's report at 432782f; since the fourteenth
# session the sections' offboarding names the command for collateral instead of counting it).
# The plain tree only: under ASan the report's twenty sections take minutes and the peak is
# not judged.
# Usage: report_memory.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
if ldd "$AP" 2>/dev/null | grep -q 'libasan'; then
    echo "skipped under the sanitizers"
    exit 0
fi
python3 "$SRC/tests/cli/gen_stream.py" 3000 0 "$WORK"
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db w.db import nodes.csv edges.csv 2>err) \
    || fail "import: $(cat "$WORK/err")"
# from inside WORK too: the report names its database as given (and its date, SOURCE_DATE_EPOCH)
(cd "$WORK" && python3 "$SRC/tests/cli/stream_check.py" 9dc0d455ae8a73745b320ed1adedb7d2 92 \
    report.html "$AP" --db w.db --at 2026-01-01 report) \
    || fail "the report holds every partner's authority"
echo ok
