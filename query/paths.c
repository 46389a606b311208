/* query/paths.c: the authority-carrying simple paths from a partner to its targets, shortest
 * first, through igraph's k-shortest paths (Yen) on the subgraph that carries its authority. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"

void ap_paths_free(ap_paths *p)
{
    if (p == NULL)
        return;
    for (uint32_t i = 0; i < p->nsets; i++) {
        free(p->sets[i].off);
        free(p->sets[i].edges);
        free(p->sets[i].rights);
    }
    free(p->sets);
    free(p);
}

ap_rights ap_paths_chain_rights(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                                uint32_t len)
{
    ap_rights r = AP_RIGHTS_ALL;
    for (uint32_t i = 0; i < len && r != 0; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        /* the gate asks what the step's tail holds in all, not what this chain brought */
        if (!e->traversable || (e->requires != 0 && (a->rights[e->from] & e->requires) == 0))
            return 0;
        r = e->escalates ? e->rights : (r & e->rights);
    }
    return r;
}

static ap_sensitivity sens_of(const ap_node *nd)
{
    return nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity;
}

/* A target with its sort key: qsort has no context argument in C11. */
typedef struct {
    ap_sensitivity sens;
    uint32_t v;
} target_key;

static int target_cmp(const void *x, const void *y)
{
    const target_key *a = x, *b = y;
    if (a->sens != b->sens)
        return a->sens > b->sens ? -1 : 1;  /* the most sensitive first */
    return a->v < b->v ? -1 : a->v > b->v;  /* node index order is id order: the order is total */
}

int ap_paths_targets(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                     ap_sensitivity min, ap_error *err)
{
    uint32_t *list = malloc(((size_t)a->nreach + 1) * sizeof *list), k = 0;
    target_key *keys = malloc(((size_t)a->nreach + 1) * sizeof *keys);
    *out = NULL;
    *n = 0;
    if (list == NULL || keys == NULL) {
        free(list);
        free(keys);
        return ap_error_nomem(err);
    }
    for (uint32_t i = 0; i < a->nreach; i++) {
        const ap_node *nd = ap_graph_node(g, a->reach[i]);
        if ((nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW) && sens_of(nd) >= min)
            keys[k++] = (target_key){ sens_of(nd), a->reach[i] };
    }
    qsort(keys, k, sizeof *keys, target_cmp);
    for (uint32_t i = 0; i < k; i++)
        list[i] = keys[i].v;
    free(keys);
    *out = list;
    *n = k;
    return AP_OK;
}

/* One found path, for sorting: its edges (graph indices) and length. */
typedef struct {
    uint32_t *edges;
    uint32_t len;
} found_path;

static int found_cmp(const void *x, const void *y)
{
    const found_path *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (uint32_t i = 0; i < a->len; i++)   /* edge order is (from id, to id, edge id) order */
        if (a->edges[i] != b->edges[i])
            return a->edges[i] < b->edges[i] ? -1 : 1;
    return 0;                               /* Yen never returns the same path twice */
}

/* The igraph subgraph of the edges that carry a's authority (self-loops left out: no simple
 * path uses one), with map[i] the graph edge of igraph edge i. */
static int carrying_graph(igraph_t *ig, uint32_t **map, const ap_graph *g,
                          const ap_authority *a, ap_error *err)
{
    igraph_vector_int_t ends;
    uint32_t m = ap_graph_edge_count(g), k = 0;
    igraph_error_t ie;
    *map = malloc(((size_t)m + 1) * sizeof **map);
    if (*map == NULL)
        return ap_error_nomem(err);
    if (igraph_vector_int_init(&ends, 0) != IGRAPH_SUCCESS) {
        free(*map);
        *map = NULL;
        return ap_error_nomem(err);
    }
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->from == ed->to || !ap_authority_carries(g, a, ed))
            continue;
        if (igraph_vector_int_push_back(&ends, ed->from) != IGRAPH_SUCCESS
            || igraph_vector_int_push_back(&ends, ed->to) != IGRAPH_SUCCESS) {
            igraph_vector_int_destroy(&ends);
            free(*map);
            *map = NULL;
            return ap_error_nomem(err);
        }
        (*map)[k++] = e;
    }
    ie = igraph_create(ig, &ends, ap_graph_node_count(g), IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ends);
    if (ie != IGRAPH_SUCCESS) {
        free(*map);
        *map = NULL;
        return ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    }
    return AP_OK;
}

/* The paths to one target into set. Yen's algorithm returns paths in order of length, so
 * asking for max_paths + 1 tells whether more exist, and the first path longer than max_depth
 * tells that every shorter one has been seen. */
static int paths_to(ap_path_set *set, const igraph_t *ig, const uint32_t *map,
                    const ap_graph *g, const ap_authority *a, uint32_t target, uint32_t max_depth,
                    uint32_t max_paths, ap_error *err)
{
    igraph_vector_int_list_t found;
    found_path *list = NULL;
    uint32_t nfound, total = 0, keep = 0, in_depth = 0;
    igraph_error_t ie;
    int rc = AP_OK;
    set->target = target;
    if (igraph_vector_int_list_init(&found, 0) != IGRAPH_SUCCESS)
        return ap_error_nomem(err);
    ie = igraph_get_k_shortest_paths(ig, NULL, NULL, &found, (igraph_integer_t)max_paths + 1,
                                     a->source, target, IGRAPH_OUT);
    if (ie != IGRAPH_SUCCESS) {
        rc = ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
        goto cleanup;
    }
    nfound = (uint32_t)igraph_vector_int_list_size(&found);
    if ((list = calloc((size_t)nfound + 1, sizeof *list)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t i = 0; i < nfound; i++) {
        const igraph_vector_int_t *p = igraph_vector_int_list_get_ptr(&found, i);
        list[i].len = (uint32_t)igraph_vector_int_size(p);
        if ((list[i].edges = malloc(((size_t)list[i].len + 1) * sizeof *list[i].edges)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        for (uint32_t j = 0; j < list[i].len; j++)
            list[i].edges[j] = map[VECTOR(*p)[j]];
        if (list[i].len <= max_depth)
            in_depth++;
        else
            set->deeper = true;
    }
    qsort(list, nfound, sizeof *list, found_cmp);
    set->more = in_depth > max_paths;
    keep = in_depth > max_paths ? max_paths : in_depth;
    for (uint32_t i = 0; i < keep; i++)
        total += list[i].len;
    set->off = malloc(((size_t)keep + 1) * sizeof *set->off);
    set->edges = malloc(((size_t)total + 1) * sizeof *set->edges);
    set->rights = malloc(((size_t)keep + 1) * sizeof *set->rights);
    if (set->off == NULL || set->edges == NULL || set->rights == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    set->off[0] = 0;
    for (uint32_t i = 0; i < keep; i++) {
        memcpy(set->edges + set->off[i], list[i].edges, list[i].len * sizeof *list[i].edges);
        set->off[i + 1] = set->off[i] + list[i].len;
        set->rights[i] = ap_paths_chain_rights(g, a, list[i].edges, list[i].len);
    }
    set->npaths = keep;
cleanup:
    for (uint32_t i = 0; list != NULL && i < igraph_vector_int_list_size(&found); i++)
        free(list[i].edges);
    free(list);
    igraph_vector_int_list_destroy(&found);
    return rc;
}

int ap_paths_compute(ap_paths **out, const ap_graph *g, const ap_authority *a,
                     const uint32_t *targets, uint32_t ntargets, const ap_paths_opts *opts,
                     ap_error *err)
{
    ap_paths *p = calloc(1, sizeof *p);
    igraph_t ig;
    uint32_t *map = NULL;
    bool built = false;
    int rc;
    *out = NULL;
    if (p == NULL)
        return ap_error_nomem(err);
    p->source = a->source;
    p->max_depth = opts != NULL && opts->max_depth > 0 ? opts->max_depth : AP_PATHS_MAX_DEPTH;
    p->max_paths = opts != NULL && opts->max_paths > 0 ? opts->max_paths : AP_PATHS_MAX_PATHS;
    if ((p->sets = calloc((size_t)ntargets + 1, sizeof *p->sets)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if ((rc = carrying_graph(&ig, &map, g, a, err)) < 0)
        goto cleanup;
    built = true;
    for (uint32_t i = 0; i < ntargets; i++) {
        if (targets[i] >= ap_graph_node_count(g)) {
            rc = ap_error_set(err, AP_EBUG, "target %u out of range", targets[i]);
            goto cleanup;
        }
        p->nsets = i + 1;
        if (targets[i] == a->source || a->rights[targets[i]] == 0) {
            p->sets[i].target = targets[i];     /* unreached (or the source): no path */
            if ((p->sets[i].off = calloc(1, sizeof *p->sets[i].off)) == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            continue;
        }
        if ((rc = paths_to(&p->sets[i], &ig, map, g, a, targets[i], p->max_depth,
                           p->max_paths, err)) < 0)
            goto cleanup;
    }
    *out = p;
    p = NULL;
    rc = AP_OK;
cleanup:
    if (built)
        igraph_destroy(&ig);
    free(map);
    ap_paths_free(p);
    return rc;
}
