/* query/reachdiff.c: many sources' authority on a graph and on a graph derived from it,
 * compared by counts only (what-if and the forecast list a few partners and count the rest). */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

/* The authorities of a chunk of sources on g, side by side: table[i * n + v] is A(v) of
 * source i on g, then (the pass over d) what of it d does not deliver. */
#define TABLE_BYTES ((size_t)32 << 20)
#define MIN_CHUNK 64                    /* fewer sources at a time: the lanes instead */

typedef struct {
    const ap_graph *g;
    const uint32_t *sources;
    ap_rights all;
    size_t n;
    ap_rights *table;
    ap_reach_counts *out;
} chunk;

static void on_g(void *ctx, uint32_t i, uint32_t v, ap_rights r)
{
    chunk *c = ctx;
    c->table[i * c->n + v] = r;
}

static void on_d(void *ctx, uint32_t i, uint32_t v, ap_rights r)
{
    chunk *c = ctx;
    ap_rights *before = &c->table[i * c->n + v];
    ap_kind kind = ap_graph_node(c->g, v)->kind;
    bool counted = v != c->sources[i];         /* the source: every right on both */
    c->out[i].gained += counted && (r & ~*before & c->all) != 0;
    c->out[i].targets += counted && (kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW);
    *before &= ~r;
}

int ap_query__reach_counts(ap_reach_counts *out, const ap_graph *g, const ap_graph *d,
                           const uint32_t *sources, uint32_t ns, ap_error *err)
{
    size_t n = ap_graph_node_count(g);
    size_t per = TABLE_BYTES / ((n + 1) * sizeof(ap_rights));
    int rc = AP_OK;
    memset(out, 0, (size_t)ns * sizeof *out);
    if (ns == 0)
        return AP_OK;
    if (per < MIN_CHUNK)
        return ap_query__reach_counts_lanes(out, g, d, sources, ns, err);
    uint32_t step = per < ns ? (uint32_t)per : ns;
    chunk c = { g, NULL, ap_vocab_all(ap_graph_vocab(g)), n, NULL, NULL };
    if ((c.table = malloc((size_t)step * n * sizeof *c.table)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t lo = 0; lo < ns && rc == AP_OK; lo += step) {
        uint32_t cnt = ns - lo < step ? ns - lo : step;
        c.sources = sources + lo;
        c.out = out + lo;
        memset(c.table, 0, (size_t)cnt * n * sizeof *c.table);
        /* one thread: the machine may be shared, and the counts do not need more */
        if ((rc = ap_authority_all(g, c.sources, cnt, 1, on_g, &c, err)) < 0
            || (rc = ap_authority_all(d, c.sources, cnt, 1, on_d, &c, err)) < 0)
            break;
        for (uint32_t i = 0; i < cnt; i++)
            for (size_t v = 0; v < n; v++)
                out[lo + i].lost += (c.table[i * n + v] & c.all) != 0;
    }
    free(c.table);
    return rc;
}
