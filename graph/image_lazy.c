/* graph/image_lazy.c: a partial load's records (ap_graph_load_partial): each node and edge is
 * built from the graph image's record the first time a query asks for it (a lazy load checks
 * the record's blocks and its strings' then), or all at once. */
#include <stdlib.h>
#include <string.h>

#include "image_format.h"

static const char *image_strings(const ap_graph *g)
{
    const img_head *h = g->image;
    return (const char *)g->image + h->off[S_STRINGS];
}

/* A lazy load's blocks of section s that bytes [lo, hi) lie in: true when each matches its
 * hash in the block table (each hashed once); else the graph notes the damage. */
static bool blocks_ok(ap_graph *g, int s, uint64_t lo, uint64_t hi)
{
    static const char *const what[S_COUNT] = {
        [S_NODES] = "a block of its node records does not match its checksum",
        [S_EDGES] = "a block of its edge records does not match its checksum",
        [S_STRINGS] = "a block of its strings does not match its checksum" };
    const img_head *h = g->image;
    const uint8_t *section = (const uint8_t *)g->image + h->off[s];
    const uint8_t *table = (const uint8_t *)g->image + h->off[S_BLOCKS];
    for (uint64_t b = lo / IMG_BLOCK; b <= (hi - 1) / IMG_BLOCK; b++) {
        uint64_t k = g->block_base[s] + b, start = b * IMG_BLOCK, want;
        if (g->block_ok[k])
            continue;
        memcpy(&want, table + k * sizeof want, sizeof want);
        if (hash_of(section + start, (size_t)(h->len[s] - start < IMG_BLOCK ? h->len[s] - start
                                                                             : IMG_BLOCK))
            != want) {
            g->image_damage = what[s];
            return false;
        }
        g->block_ok[k] = 1;
    }
    return true;
}

/* The string a record names at *off, its blocks checked (one: it lies in one block, the
 * record says: no scan for its end); a damaged one becomes "". */
static void string_ok(ap_graph *g, uint64_t *off, bool one)
{
    const img_head *h = g->image;
    if (g->block_ok == NULL)            /* checked at open */
        return;
    if (*off >= h->len[S_STRINGS]) {
        g->image_damage = "a record names a string outside the image";
        *off = 3;
        return;
    }
    /* the area ends in '\0' (checked at open): strlen stays inside it */
    if (!blocks_ok(g, S_STRINGS, *off, *off + (one ? 1 : strlen(image_strings(g) + *off) + 1)))
        *off = 3;
}

/* Record i of section s (size bytes) into r, its block checked first: false when it is
 * damaged (r is left as it was: a harmless stand-in). */
static bool record_ok(ap_graph *g, int s, uint64_t i, size_t size, void *r)
{
    uint64_t at = i * size;
    if (g->block_ok != NULL && !blocks_ok(g, s, at, at + size))
        return false;
    memcpy(r, (s == S_NODES ? g->rec_nodes : g->rec_edges) + at, size);
    return true;
}

static void build_node(ap_graph *g, uint32_t v, ap_node *out)
{
    img_node r = { .id = 3, .attrs = 0 };       /* "" and "{}" */
    if (record_ok(g, S_NODES, v, sizeof r, &r)) {
        string_ok(g, &r.id, r.one_block & IMG_ID_ONE);
        string_ok(g, &r.attrs, r.one_block & IMG_ATTRS_ONE);
    }
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

/* Node v's liveness, and that of every other record wholly in the block(s) v's record lies in:
 * checked and read at once, while they are in the cache (the heads an authority reads come
 * from all over the section: a miss on a record each, else). */
bool ap_graph__lazy_node_live(ap_graph *g, uint32_t v)
{
    if (g->node_live[v] != 0)
        return g->node_live[v] == 2;
    const img_head *h = g->image;
    uint64_t lo = (uint64_t)v * sizeof(img_node) / IMG_BLOCK * IMG_BLOCK;
    uint64_t hi = ((uint64_t)v + 1) * sizeof(img_node);
    hi = hi % IMG_BLOCK == 0 ? hi : (hi / IMG_BLOCK + 1) * IMG_BLOCK;
    hi = hi < h->len[S_NODES] ? hi : h->len[S_NODES];
    if (g->block_ok != NULL && !blocks_ok(g, S_NODES, lo, hi)) {
        img_node r = { .id = 3, .attrs = 0 };   /* damaged: build_node's stand-in */
        g->node_live[v] = img_node_live(&r, g->at) ? 2 : 1;
        return g->node_live[v] == 2;
    }
    uint64_t first = (lo + sizeof(img_node) - 1) / sizeof(img_node), end = hi / sizeof(img_node);
    for (uint64_t w = first; w < end; w++) {
        img_node r;
        memcpy(&r, g->rec_nodes + w * sizeof r, sizeof r);
        g->node_live[w] = img_node_live(&r, g->at) ? 2 : 1;
    }
    return g->node_live[v] == 2;
}

/* Edge e into out; its ends' liveness read in place (ap_graph_node_live); its strings checked
 * when `strings`, else left NULL. */
static void build_edge(ap_graph *g, uint32_t e, ap_edge *out, bool strings)
{
    img_edge r = { .id = 3, .attrs = 0 };
    if (record_ok(g, S_EDGES, e, sizeof r, &r)) {
        if (strings) {
            string_ok(g, &r.id, r.one_block & IMG_ID_ONE);
            string_ok(g, &r.attrs, r.one_block & IMG_ATTRS_ONE);
        }
        if (g->block_ok != NULL && (r.from >= g->n || r.to >= g->n)) {
            g->image_damage = "an edge names a node outside the image";
            r.from = r.to = 0;
        }
    }
    bool ends_live = ap_graph_node_live(g, r.from) && ap_graph_node_live(g, r.to);
    img_edge_get(out, &r, image_strings(g), g->at, ends_live);
    if (!strings)
        out->id = out->attrs = NULL;
}

const ap_edge *ap_graph__lazy_edge(ap_graph *g, uint32_t e)
{
    if (g->edge_slot[e] == 0) {
        build_edge(g, e, &g->edge_pool[g->edges_built], true);
        g->edge_slot[e] = ++g->edges_built;
    }
    ap_edge *out = &g->edge_pool[g->edge_slot[e] - 1];
    if (out->id == NULL) {      /* kept by ap_graph__lazy_edge_fields: its strings now */
        img_edge r = { .id = 3, .attrs = 0 };
        if (record_ok(g, S_EDGES, e, sizeof r, &r)) {
            string_ok(g, &r.id, r.one_block & IMG_ID_ONE);
            string_ok(g, &r.attrs, r.one_block & IMG_ATTRS_ONE);
        }
        out->id = image_strings(g) + r.id;
        out->attrs = image_strings(g) + r.attrs;
    }
    return out;
}

/* Read in place (the fields are the record's): no string is read (or checked); into tmp, or,
 * without tmp, kept in the pool as a record whose strings (NULL) ap_graph__lazy_edge adds. */
const ap_edge *ap_graph__lazy_edge_fields(ap_graph *g, uint32_t e, ap_edge *tmp)
{
    if (g->edge_slot[e] != 0)
        return &g->edge_pool[g->edge_slot[e] - 1];
    if (tmp != NULL) {
        build_edge(g, e, tmp, false);
        return tmp;
    }
    build_edge(g, e, &g->edge_pool[g->edges_built], false);
    g->edge_slot[e] = ++g->edges_built;
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
            edges[e] = *ap_graph__lazy_edge(g, e);      /* its strings, if kept without */
        else
            build_edge(g, e, &edges[e], true);
    }
    g->edges = edges;
    free(g->node_slot);         /* every record is built: the attribute caches span them all */
    free(g->edge_slot);
    g->node_slot = g->edge_slot = NULL;
    return AP_OK;
}
