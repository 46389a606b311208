# tests/reliability/gen_estate.awk: a large, simple native CSV pair for the reliability tests
# (awk -v n=NODES -v nodes=FILE -v edges=FILE): n nodes, 2n member_of edges, a partner in ten.
BEGIN {
    print "id,kind,name" > nodes
    for (i = 0; i < n; i++) {
        k = (i % 10 == 0) ? "partner" : (i % 10 < 4) ? "identity" : (i % 10 < 7) ? "role" : "resource"
        printf "n%d,%s,node %d\n", i, k, i > nodes
    }
    print "from,to,kind" > edges
    for (i = 0; i < 2 * n; i++) {
        a = int(i / 2); b = (a * 7 + i + 1) % n
        printf "n%d,n%d,member_of\n", a, b > edges
    }
}
