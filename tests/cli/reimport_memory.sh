#!/bin/sh
# tests/cli/reimport_memory.sh: a later import reads the latest snapshot's graph image to keep
# its unchanged rows, and lets go of each page once read: it must not hold the old image whole
# beside the new one. An estate of many edges and short ids (its image, 80 bytes an edge, the
# larger than what the import itself holds of the rows): the second import's peak stays within
# half the image of the first import's (it held the whole image before: 100 MiB for the first,
# 159 MiB for the second with a 62 MB image; 111 MiB now). The plain tree only: under ASan the
# peak is not judged.
# Usage: reimport_memory.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
SRC=$(cd "$SRC" && pwd)
AP=$(cd "$(dirname "$AP")" && pwd)/$(basename "$AP")
if ldd "$AP" 2>/dev/null | grep -q 'libasan'; then
    echo "skipped under the sanitizers"
    exit 0
fi
cd "$WORK" || fail "no work directory"
python3 "$SRC/tests/cli/gen_access.py" 20 4000 1000000 1 . || fail "cannot write the estate"
# peak resident KiB of one import (its own process: the peak of the children so far is the
# largest of them, so each is measured in a python of its own)
peak() {
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
        "$AP" --db w.db import nodes.csv edges.csv || fail "import failed"
}
rm -f w.db w.db-graph
first=$(peak)
[ -s w.db-graph ] || fail "the first import wrote no graph image"
image=$(( $(wc -c < w.db-graph) / 1024 ))
second=$(peak)
echo "first import $first KiB, second $second KiB, image $image KiB"
[ "$second" -lt $(( first + image / 2 )) ] \
    || fail "the second import held the old image: $second KiB, first $first KiB, image $image KiB"
"$AP" --db w.db snapshots | grep -q '^ *2 ' || fail "no second snapshot"
echo ok
