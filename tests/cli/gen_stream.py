# tests/cli/gen_stream.py: a wide native CSV estate for the tests that outputs are streamed
# (tests/cli/*_stream.sh): lists that follow the estate, written from docs/design.md's model.
"""Usage: gen_stream.py N PAD OUTDIR

One identity, hub, that N resources (each with an owner and a name, one in ten a workflow; each
depending on hub) are reached from, over access edges that expire on 2026-03-01; 20 partners
reach hub through a static key each; N/10 pairs of partners, one the subcontractor of the other,
with a key each to a resource of its own. Every seventh resource's id reads like a key of the
documents ("targets": [] and the like) so that streaming cannot mistake data for its skeleton;
each resource id and purpose is PAD characters longer, so that its rows outweigh the graph.
The same arguments write the same bytes."""

import os
import sys


def main():
    n, pad, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    q = lambda s: '"' + s.replace('"', '""') + '"'
    res = lambda i: ('r%05d "paths": [] "reach": [] \u00e9' % i if i % 7 == 0
                     else "r%05d" % i) + "-" * pad
    with open(os.path.join(out, "nodes.csv"), "w", encoding="utf-8") as f:
        f.write("id,kind,name,owner,sensitivity,static,expires,contract_ends,purpose\n")
        f.write("hub,identity,Hub,platform,,,,,\n")
        for p in range(20):
            f.write("p%02d,partner,Partner %d,,,,,2026-06-01,\n" % (p, p))
            f.write("k%02d,credential,Key %d,,,true,2027-01-01,,\n" % (p, p))
        for i in range(n):
            kind = "workflow" if i % 10 == 0 else "resource"
            f.write("%s,%s,Resource %d,team%d,confidential,,,,%s\n"
                    % (q(res(i)), kind, i, i % 13, "why " * (pad // 4)))
        for s in range(n // 10):
            f.write("sa%05d,partner,,,,,,,\nsb%05d,partner,,,,,,,\n" % (s, s))
            f.write("sk%05d,credential,,,,true,,,\nsi%05d,identity,,,,,,,\n" % (s, s))
    with open(os.path.join(out, "edges.csv"), "w", encoding="utf-8") as f:
        f.write("from,to,kind,rights,expires\n")
        for p in range(20):
            f.write("p%02d,k%02d,holds,,\nk%02d,hub,authenticates_as,,\n" % (p, p, p))
        for i in range(n):
            f.write("hub,%s,access,read|write,2026-03-01\n" % q(res(i)))
            f.write("%s,hub,depends_on,,\n" % q(res(i)))
        for s in range(n // 10):
            f.write("sa%05d,sb%05d,subcontractor_of,,\n" % (s, s))
            f.write("sb%05d,sk%05d,holds,,\nsk%05d,si%05d,authenticates_as,,\n" % (s, s, s, s))
            f.write("si%05d,%s,access,read,\n" % (s, q(res(s))))


main()
