/* graph/image_lazy.c: a partial load's records (ap_graph_load_partial): each node and edge is
 * built from the graph image's record the first time a query asks for it, or all at once. */
#include <stdlib.h>
#include <string.h>

#include "image_format.h"

static const char *image_strings(const ap_graph *g)
{
    const img_head *h = g->image;
    return (const char *)g->image + h->off[S_STRINGS];
}

static void build_node(const ap_graph *g, uint32_t v, ap_node *out)
{
    img_node r;
    memcpy(&r, g->rec_nodes + (size_t)v * sizeof r, sizeof r);
    img_node_get(out, &r, image_strings(g), g->at);
}

const ap_node *ap_graph__lazy_node(ap_graph *g, uint32_t v)
{
    if (g->node_slot[v] == 0) {
        build_node(g, v, &g->node_pool[g->nodes_built]);
        g->node_slot[v] = ++g->nodes_built;
    }
    return &g->node_pool[g->node_slot[v] - 1];
}

/* Edge e into out; its ends' liveness from the built nodes, or from their records. */
static void build_edge(ap_graph *g, uint32_t e, ap_edge *out)
{
    img_edge r;
    memcpy(&r, g->rec_edges + (size_t)e * sizeof r, sizeof r);
    bool ends_live = ap_graph_node(g, r.from)->live && ap_graph_node(g, r.to)->live;
    img_edge_get(out, &r, image_strings(g), g->at, ends_live);
}

const ap_edge *ap_graph__lazy_edge(ap_graph *g, uint32_t e)
{
    if (g->edge_slot[e] == 0) {
        build_edge(g, e, &g->edge_pool[g->edges_built]);
        g->edge_slot[e] = ++g->edges_built;
    }
    return &g->edge_pool[g->edge_slot[e] - 1];
}

int ap_graph__full(ap_graph *g, ap_error *err)
{
    if (g->rec_nodes == NULL || g->nodes != NULL)
        return AP_OK;
    ap_node *nodes = ap_graph__big((size_t)g->n + 1, sizeof *nodes);
    ap_edge *edges = ap_graph__big((size_t)g->m + 1, sizeof *edges);
    if (nodes == NULL || edges == NULL) {
        free(nodes);
        free(edges);
        return ap_error_nomem(err);
    }
    for (uint32_t v = 0; v < g->n; v++) {
        if (g->node_slot[v] != 0)
            nodes[v] = g->node_pool[g->node_slot[v] - 1];
        else
            build_node(g, v, &nodes[v]);
    }
    g->nodes = nodes;           /* from here on ap_graph_node() reads the array */
    for (uint32_t e = 0; e < g->m; e++) {
        if (g->edge_slot[e] != 0)
            edges[e] = g->edge_pool[g->edge_slot[e] - 1];
        else
            build_edge(g, e, &edges[e]);
    }
    g->edges = edges;
    free(g->node_slot);         /* every record is built: the attribute caches span them all */
    free(g->edge_slot);
    g->node_slot = g->edge_slot = NULL;
    return AP_OK;
}
