/* bench/peers.c: the in-process peers of the benchmark, timed on one loaded graph: authpath's
 * single-source engine looped over the partners, a naive rights worklist per partner, igraph's
 * BFS per partner, and the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authpath/query.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall time, and the CPU time of the process (all threads): on a shared machine the second
 * says what the work cost when other jobs stretch the first. */
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* The naive peer: one partner at a time, a FIFO worklist of nodes whose rights grew, every
 * usable edge re-read when its source grows (the same rules as the engine, no rounds, no
 * batching). Returns the nodes reached but the source. */
typedef struct {
    ap_rights *rights;
    uint32_t *queue, *seen;
    uint8_t *inq;
} naive_state;

static uint64_t naive_one(const ap_graph *g, uint32_t s, naive_state *ns)
{
    uint32_t n = ap_graph_node_count(g), head = 0, tail = 0, nseen = 0;  /* ring of n + 1 */
    uint64_t reach = 0;
    ns->rights[s] = AP_RIGHTS_ALL;
    ns->seen[nseen++] = s;
    ns->queue[tail++] = s;
    ns->inq[s] = 1;
    while (head != tail) {
        uint32_t u = ns->queue[head];
        head = head + 1 == n + 1 ? 0 : head + 1;
        ns->inq[u] = 0;
        ap_rights have = ns->rights[u];
        for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (!ap_edge_usable(g, ed, s))
                continue;
            ap_rights r = ap_edge_transfer(ed, have), fresh = r & ~ns->rights[ed->to];
            if (fresh == 0)
                continue;
            if (ns->rights[ed->to] == 0)
                ns->seen[nseen++] = ed->to;
            ns->rights[ed->to] |= fresh;
            if (!ns->inq[ed->to]) {
                ns->inq[ed->to] = 1;
                ns->queue[tail] = ed->to;
                tail = tail + 1 == n + 1 ? 0 : tail + 1;
            }
        }
    }
    for (uint32_t i = 0; i < nseen; i++) {
        reach += ns->seen[i] != s;
        ns->rights[ns->seen[i]] = 0;
    }
    return reach;
}

static int fail(const ap_error *err)
{
    fprintf(stderr, "peers: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    ap_store *st = NULL;
    ap_graph *g = NULL;
    ap_error err;
    ap_weights w;
    int64_t at;
    if (argc < 5) {
        fprintf(stderr, "usage: peers DB AT load|one|loop|naive|igraph|kernel THREADS [LIMIT]\n"
                        "  times the partners' reach; LIMIT: only the first LIMIT partners\n"
                        "  load: open and load the graph; one: the first partner's authority\n");
        return 2;
    }
    const char *mode = argv[3];
    unsigned threads = (unsigned)atoi(argv[4]);
    uint32_t limit = argc > 5 ? (uint32_t)atol(argv[5]) : UINT32_MAX;
    if (!ap_time_parse(argv[2], &at)) {
        fprintf(stderr, "peers: bad time\n");
        return 2;
    }
    ap_igraph_init();
    ap_weights_default(&w);
    double tl = now(), cl = cpu();
    if (ap_store_open(&st, argv[1], &err) < 0 || ap_graph_load(&g, st, 0, at, &err) < 0)
        return fail(&err);
    tl = now() - tl;
    cl = cpu() - cl;
    if (strcmp(mode, "load") == 0) {
        printf("load nodes=%u edges=%u seconds=%.6f cpu=%.6f\n", ap_graph_node_count(g),
               ap_graph_edge_count(g), tl, cl);
        ap_graph_free(g);
        ap_store_close(st);
        return 0;
    }
    uint32_t n = ap_graph_node_count(g), np = 0, *src = malloc(((size_t)n + 1) * sizeof *src);
    uint32_t all = 0;
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER) {
            all++;
            if (np < limit)
                src[np++] = v;
        }
    double t0 = now(), c0 = cpu();
    uint64_t total = 0;
    if (strcmp(mode, "one") == 0) {
        ap_authority *a = NULL;
        if (np == 0 || ap_authority_compute(&a, g, src[0], &err) < 0)
            return np == 0 ? 1 : fail(&err);
        total = a->nreach;
        ap_authority_free(a);
        np = all = 1;
    } else if (strcmp(mode, "loop") == 0) {
        for (uint32_t i = 0; i < np; i++) {
            ap_authority *a = NULL;
            ap_blast *b = NULL;
            if (ap_authority_compute(&a, g, src[i], &err) < 0
                || ap_blast_compute(&b, g, a, &w, &err) < 0)
                return fail(&err);
            total += a->nreach;
            ap_blast_free(b);
            ap_authority_free(a);
        }
    } else if (strcmp(mode, "naive") == 0) {
        naive_state ns = { calloc(n + 1, sizeof(ap_rights)), malloc((n + 1) * sizeof(uint32_t)),
                           malloc((n + 1) * sizeof(uint32_t)), calloc(n + 1, 1) };
        if (ns.rights == NULL || ns.queue == NULL || ns.seen == NULL || ns.inq == NULL)
            return 1;
        for (uint32_t i = 0; i < np; i++)
            total += naive_one(g, src[i], &ns);
        free(ns.rights);
        free(ns.queue);
        free(ns.seen);
        free(ns.inq);
    } else if (strcmp(mode, "kernel") == 0) {
        ap_blast **list = NULL;
        if (ap_blast_all(&list, g, src, np, &w, 0, threads, &err) < 0)
            return fail(&err);
        for (uint32_t i = 0; i < np; i++)
            for (int k = 0; k < AP_KIND_COUNT; k++)
                total += list[i]->by_kind[k];
        ap_blast_list_free(list, np);
    } else if (strcmp(mode, "igraph") == 0) {
        /* plain reachability over live traversable edges, no rights: a lower bound on what a
         * naive engine does per partner */
        const igraph_t *ig = ap_graph_igraph(g, NULL);
        igraph_vector_int_t order;
        if (ig == NULL || igraph_vector_int_init(&order, 0) != IGRAPH_SUCCESS)
            return 1;
        for (uint32_t i = 0; i < np; i++) {
            if (igraph_bfs_simple(ig, src[i], IGRAPH_OUT, &order, NULL, NULL) != IGRAPH_SUCCESS)
                return 1;
            total += (uint64_t)igraph_vector_int_size(&order) - 1;
        }
        igraph_vector_int_destroy(&order);
    } else {
        fprintf(stderr, "peers: unknown mode '%s'\n", mode);
        return 2;
    }
    double t = now() - t0, c = cpu() - c0;
    /* seconds for the partners timed, and extrapolated to all of them */
    printf("%s partners=%u of %u seconds=%.6f all=%.6f cpu=%.6f reach_total=%llu\n", mode,
           np, all, t, np ? t * all / np : 0.0, np ? c * all / np : 0.0,
           (unsigned long long)total);
    free(src);
    ap_graph_free(g);
    ap_store_close(st);
    return 0;
}
