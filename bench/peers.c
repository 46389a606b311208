/* bench/peers.c: the in-process peers of the benchmark, timed on one loaded graph: authpath's
 * single-source engine looped over the partners, igraph's BFS per partner, and the kernel. */
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
        fprintf(stderr, "usage: peers DB AT load|one|loop|igraph|kernel THREADS [LIMIT]\n"
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
