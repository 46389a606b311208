# tests/reliability/gen_shapes.awk: the small hostile shapes of hostile_shapes.sh as native CSV
# (awk -v shape=SHAPE -v n=N -v nodes=FILE -v edges=FILE [-v namelen=BYTES]). Shapes:
#   loop      partners q0..q(n-1), q_i subcontractor_of q_(i+1 mod n); q0 holds key c0, which
#             reaches a critical resource
#   cycle     identities i0..i(n-1), i_k can_assume i_(k+1 mod n), each with access to its
#             own critical resource; partner p0 is admin of i0
#   both      the cycle and the loop, the loop's q0 also admin of i0, p0 subcontractor_of q0
#   longname  partner p0 whose name is namelen bytes, holding a key to a critical resource
#   keys      partners p0..p(n-1), each holding m keys (default 20); each key reaches its own
#             production and its own dev resource, and authenticates as identity h, which
#             reads tail resources t0..t(tail-1) (default 20000): every key's own authority
#             reaches the tail, and its environments are known one step from it
BEGIN {
    print "id,kind,name,domain,sensitivity" (shape == "keys" ? ",environment" : "") > nodes
    print "from,to,kind" > edges
    if (shape == "loop" || shape == "both") {
        for (i = 0; i < n; i++) {
            printf "q%d,partner,Loop partner %d,q%d,\n", i, i, i > nodes
            printf "q%d,q%d,subcontractor_of\n", i, (i + 1) % n > edges
        }
        print "c0,credential,key 0,q0," > nodes
        print "crm,resource,CRM,home,critical" > nodes
        print "q0,c0,holds" > edges
        print "c0,crm,access" > edges
    }
    if (shape == "cycle" || shape == "both") {
        print "p0,partner,Cycle partner,p0," > nodes
        print "p0,i0,admin_of" > edges
        for (i = 0; i < n; i++) {
            printf "i%d,identity,identity %d,home,\n", i, i > nodes
            printf "r%d,resource,resource %d,home,critical\n", i, i > nodes
            printf "i%d,i%d,can_assume\n", i, (i + 1) % n > edges
            printf "i%d,r%d,access\n", i, i > edges
        }
    }
    if (shape == "both") {
        print "q0,i0,admin_of" > edges
        print "p0,q0,subcontractor_of" > edges
    }
    if (shape == "longname") {
        chunk = "LongName&\\<>\"-"
        name = chunk
        while (length(name) < namelen)
            name = name name
        name = substr(name, 1, namelen)
        gsub(/"/, "\"\"", name)
        printf "p0,partner,\"%s\",p0,\n", name > nodes
        print "c0,credential,key,p0," > nodes
        print "crm,resource,CRM,home,critical" > nodes
        print "p0,c0,holds" > edges
        print "c0,crm,access" > edges
    }
    if (shape == "keys") {
        if (m == "")
            m = 20
        if (tail == "")
            tail = 20000
        print "h,identity,shared identity,home," > nodes
        for (t = 0; t < tail; t++) {
            printf "t%d,resource,tail %d,home,public,\n", t, t > nodes
            printf "h,t%d,access\n", t > edges
        }
        for (i = 0; i < n; i++) {
            printf "p%d,partner,Partner %d,p%d,,\n", i, i, i > nodes
            for (j = 0; j < m; j++) {
                k = i "_" j
                printf "k%s,credential,key %s,p%d,,\n", k, k, i > nodes
                printf "x%s,resource,production %s,home,critical,prod\n", k, k > nodes
                printf "y%s,resource,dev %s,home,internal,dev\n", k, k > nodes
                printf "p%d,k%s,holds\n", i, k > edges
                printf "k%s,x%s,access\n", k, k > edges
                printf "k%s,y%s,access\n", k, k > edges
                printf "k%s,h,authenticates_as\n", k > edges
            }
        }
    }
}
