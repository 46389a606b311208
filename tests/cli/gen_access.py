# tests/cli/gen_access.py: an estate of many access edges and short ids (its graph image, 80
# bytes an edge, larger than what an import holds of its rows), for the memory tests.
"""Usage: gen_access.py PARTNERS N EDGES SEED OUTDIR

PARTNERS partners, each admin of an identity; N identities and N resources; EDGES distinct
access edges (read) from a random identity to a random resource, without ids. The same
arguments write the same bytes: OUTDIR/nodes.csv, OUTDIR/edges.csv."""

import os
import random
import sys


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    np, n, m, seed = (int(a) for a in sys.argv[1:5])
    out = sys.argv[5]
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "nodes.csv"), "w") as f:
        f.write("id,kind\n")
        for i in range(np):
            f.write("p%d,partner\n" % i)
        for i in range(n):
            f.write("i%d,identity\nr%d,resource\n" % (i, i))
    seen = set()
    with open(os.path.join(out, "edges.csv"), "w") as f:
        f.write("id,from,to,kind,rights\n")
        for i in range(np):
            f.write(",p%d,i%d,admin_of,\n" % (i, i))
        while len(seen) < m:
            a, b = r.randrange(n), r.randrange(n)
            if (a, b) not in seen:
                seen.add((a, b))
                f.write(",i%d,r%d,access,read\n" % (a, b))


main()
