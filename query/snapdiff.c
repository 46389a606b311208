/* query/snapdiff.c: two snapshots compared (include/authpath/diff.h): nodes and edges by id, and
 * each partner's authority by target, computed 64 partners at a time by the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diff.h"
#include "authpath/query.h"
#include "query_internal.h"

#define NONE UINT32_MAX
/* Partners per kernel run: bounds the reach held at once (a run costs one kernel preparation). */
#define CHUNK 2048u

void ap_snapdiff_free(ap_snapdiff *d)
{
    if (d == NULL)
        return;
    free(d->nodes);
    free(d->edges);
    free(d->reach);
    free(d);
}

/* ---- Nodes and edges ---- */

static void field(char *fields, const char *name, bool differs)
{
    size_t used = strlen(fields);
    if (differs)
        snprintf(fields + used, 128 - used, "%s%s", used ? "," : "", name);
}

static void node_fields(char *f, const ap_node *x, const ap_node *y)
{
    field(f, "kind", x->kind != y->kind);
    field(f, "state", x->state != y->state);
    field(f, "valid_from", x->valid_from != y->valid_from);
    field(f, "expires", x->expires != y->expires);
    field(f, "sensitivity", x->sensitivity != y->sensitivity);
    field(f, "attrs", strcmp(x->attrs, y->attrs) != 0);
}

static void edge_fields(char *f, const ap_graph *a, const ap_edge *x, const ap_graph *b,
                        const ap_edge *y)
{
    field(f, "from", strcmp(ap_graph_node(a, x->from)->id, ap_graph_node(b, y->from)->id) != 0);
    field(f, "to", strcmp(ap_graph_node(a, x->to)->id, ap_graph_node(b, y->to)->id) != 0);
    field(f, "kind", x->kind != y->kind);
    field(f, "state", x->state != y->state);
    field(f, "rights", x->rights != y->rights);
    field(f, "requires", x->requires != y->requires);
    field(f, "escalates", x->escalates != y->escalates);
    field(f, "valid_from", x->valid_from != y->valid_from);
    field(f, "expires", x->expires != y->expires);
    field(f, "attrs", strcmp(x->attrs, y->attrs) != 0);
}

typedef struct {
    const char *id;
    ap_diff_item item;
} keyed;

static int keyed_cmp(const void *x, const void *y)
{
    return strcmp(((const keyed *)x)->id, ((const keyed *)y)->id);
}

/* Sorted by id into *out. */
static int finish(ap_diff_item **out, uint32_t *n, keyed *list, uint32_t count, ap_error *err)
{
    if (count > 1)
        qsort(list, count, sizeof *list, keyed_cmp);
    *n = 0;
    for (uint32_t i = 0; i < count; i++)
        if (ap_query__push(out, n, sizeof list[i].item, &list[i].item) < 0)
            return ap_error_nomem(err);
    return AP_OK;
}

static int diff_nodes(ap_snapdiff *d, const ap_graph *a, const ap_graph *b, ap_error *err)
{
    keyed *list = NULL, k;
    uint32_t count = 0;
    int rc = AP_OK;
    for (uint32_t v = 0; v < ap_graph_node_count(a) && rc == AP_OK; v++) {
        const ap_node *x = ap_graph_node(a, v);
        int64_t w = ap_graph_find(b, x->id);
        memset(&k, 0, sizeof k);
        k.id = x->id;
        if (w < 0) {
            k.item.op = AP_DIFF_REMOVED;
            k.item.index = v;
        } else {
            node_fields(k.item.fields, x, ap_graph_node(b, (uint32_t)w));
            if (k.item.fields[0] == '\0')
                continue;
            k.item.op = AP_DIFF_CHANGED;
            k.item.index = (uint32_t)w;
        }
        if (ap_query__push(&list, &count, sizeof k, &k) < 0)
            rc = ap_error_nomem(err);
    }
    for (uint32_t w = 0; w < ap_graph_node_count(b) && rc == AP_OK; w++) {
        const ap_node *y = ap_graph_node(b, w);
        if (ap_graph_find(a, y->id) >= 0)
            continue;
        memset(&k, 0, sizeof k);
        k.id = y->id;
        k.item.op = AP_DIFF_ADDED;
        k.item.index = w;
        if (ap_query__push(&list, &count, sizeof k, &k) < 0)
            rc = ap_error_nomem(err);
    }
    if (rc == AP_OK)
        rc = finish(&d->nodes, &d->nnodes, list, count, err);
    free(list);
    return rc;
}

static int diff_edges(ap_snapdiff *d, const ap_graph *a, const ap_graph *b, ap_error *err)
{
    keyed *list = NULL, k;
    uint32_t count = 0;
    int rc = AP_OK;
    for (uint32_t e = 0; e < ap_graph_edge_count(a) && rc == AP_OK; e++) {
        const ap_edge *x = ap_graph_edge(a, e);
        int64_t f = ap_graph_find_edge(b, x->id);
        memset(&k, 0, sizeof k);
        k.id = x->id;
        if (f < 0) {
            k.item.op = AP_DIFF_REMOVED;
            k.item.index = e;
        } else {
            edge_fields(k.item.fields, a, x, b, ap_graph_edge(b, (uint32_t)f));
            if (k.item.fields[0] == '\0')
                continue;
            k.item.op = AP_DIFF_CHANGED;
            k.item.index = (uint32_t)f;
        }
        if (ap_query__push(&list, &count, sizeof k, &k) < 0)
            rc = ap_error_nomem(err);
    }
    for (uint32_t f = 0; f < ap_graph_edge_count(b) && rc == AP_OK; f++) {
        const ap_edge *y = ap_graph_edge(b, f);
        if (ap_graph_find_edge(a, y->id) >= 0)
            continue;
        memset(&k, 0, sizeof k);
        k.id = y->id;
        k.item.op = AP_DIFF_ADDED;
        k.item.index = f;
        if (ap_query__push(&list, &count, sizeof k, &k) < 0)
            rc = ap_error_nomem(err);
    }
    if (rc == AP_OK)
        rc = finish(&d->edges, &d->nedges, list, count, err);
    free(list);
    return rc;
}

/* ---- Authority ---- */

/* What a partner reaches in one snapshot: (target, rights), the target as a node of a. */
typedef struct {
    uint32_t target;        /* a's index, or a's node count + b's index for nodes only in b */
    ap_rights rights;
} held;

typedef struct {
    held *items;
    uint32_t n;
    int failed;
} holding;

typedef struct {
    holding *slots;         /* one per partner of the run */
    const uint32_t *key;    /* the graph's node -> common key (NULL: the identity) */
    ap_rights named;        /* rights named in the vocabulary */
} collect;

/* ap_authority_all's visitor: only the slots of partner i are written. */
static void visit(void *vctx, uint32_t i, uint32_t v, ap_rights r)
{
    collect *c = vctx;
    holding *h = &c->slots[i];
    held x = { c->key != NULL ? c->key[v] : v, r & c->named };
    if (x.rights == 0 || h->failed)
        return;
    if (ap_query__push(&h->items, &h->n, sizeof x, &x) < 0)
        h->failed = 1;
}

static int held_cmp(const void *x, const void *y)
{
    uint32_t p = ((const held *)x)->target, q = ((const held *)y)->target;
    return p < q ? -1 : p > q;
}

/* The authority of partners (nodes of g) into slots (one each, empty on entry). */
static int reach_of(holding *slots, const ap_graph *g, const uint32_t *partners, uint32_t n,
                    const uint32_t *key, unsigned nthreads, ap_error *err)
{
    collect c = { slots, key, ap_vocab_all(ap_graph_vocab(g)) };
    int rc = n > 0 ? ap_authority_all(g, partners, n, nthreads, visit, &c, err) : AP_OK;
    for (uint32_t i = 0; rc == AP_OK && i < n; i++) {
        if (slots[i].failed)
            return ap_error_nomem(err);
        if (slots[i].n > 1)
            qsort(slots[i].items, slots[i].n, sizeof *slots[i].items, held_cmp);
    }
    return rc;
}

typedef struct {
    const ap_graph *a, *b;
} sides;

static const char *key_id(const sides *s, uint32_t key)
{
    uint32_t na = ap_graph_node_count(s->a);
    return key < na ? ap_graph_node(s->a, key)->id : ap_graph_node(s->b, key - na)->id;
}

/* Merge one partner's holdings before (x) and after (y) into d->reach. */
static int compare(ap_snapdiff *d, const sides *s, const char *partner, const holding *x,
                   const holding *y, ap_error *err)
{
    uint32_t i = 0, j = 0;
    while (i < x->n || j < y->n) {
        ap_diff_reach r = { partner, NULL, 0, 0 };
        uint32_t kx = i < x->n ? x->items[i].target : NONE;
        uint32_t ky = j < y->n ? y->items[j].target : NONE;
        uint32_t key = kx < ky ? kx : ky;
        if (kx == key)
            r.before = x->items[i++].rights;
        if (ky == key)
            r.after = y->items[j++].rights;
        if (r.before == r.after || strcmp(key_id(s, key), partner) == 0)
            continue;
        r.target = key_id(s, key);
        if (ap_query__push(&d->reach, &d->nreach, sizeof r, &r) < 0)
            return ap_error_nomem(err);
    }
    return AP_OK;
}

static int reach_cmp(const void *x, const void *y)
{
    const ap_diff_reach *p = x, *q = y;
    int c = strcmp(p->partner, q->partner);
    return c != 0 ? c : strcmp(p->target, q->target);
}

static void holdings_clear(holding *h, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(h[i].items);
    memset(h, 0, n * sizeof *h);
}

/* Partners by id: those of a (with their b node, if any), then those only in b. */
typedef struct {
    const char *id;
    uint32_t in_a, in_b;    /* node indices, NONE when absent */
} partner_pair;

static int list_partners(partner_pair **out, uint32_t *n, const sides *s, const char *only,
                         ap_error *err)
{
    for (int side = 0; side < 2; side++) {
        const ap_graph *g = side == 0 ? s->a : s->b, *other = side == 0 ? s->b : s->a;
        for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
            const ap_node *nd = ap_graph_node(g, v);
            int64_t o = ap_graph_find(other, nd->id);
            partner_pair p = { nd->id, NONE, NONE };
            bool other_partner = o >= 0
                && ap_graph_node(other, (uint32_t)o)->kind == AP_KIND_PARTNER;
            if (nd->kind != AP_KIND_PARTNER || (only != NULL && strcmp(only, nd->id) != 0)
                || (side == 1 && other_partner))
                continue;
            p.in_a = side == 0 ? v : (other_partner ? (uint32_t)o : NONE);
            p.in_b = side == 1 ? v : (other_partner ? (uint32_t)o : NONE);
            if (ap_query__push(out, n, sizeof p, &p) < 0)
                return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

static int diff_reach(ap_snapdiff *d, const sides *s, const char *only, unsigned nthreads,
                      ap_error *err)
{
    uint32_t na = ap_graph_node_count(s->a), nb = ap_graph_node_count(s->b), np = 0;
    uint32_t *key_b = malloc(((size_t)nb + 1) * sizeof *key_b);
    uint32_t *pa = malloc(CHUNK * sizeof *pa), *pb = malloc(CHUNK * sizeof *pb);
    holding *ha = calloc(CHUNK, sizeof *ha), *hb = calloc(CHUNK, sizeof *hb);
    partner_pair *pairs = NULL;
    int rc = AP_OK;
    if (key_b == NULL || pa == NULL || pb == NULL || ha == NULL || hb == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t w = 0; w < nb; w++) {       /* b's nodes keyed as a's, or past a's */
        int64_t v = ap_graph_find(s->a, ap_graph_node(s->b, w)->id);
        key_b[w] = v >= 0 ? (uint32_t)v : na + w;
    }
    if ((rc = list_partners(&pairs, &np, s, only, err)) < 0)
        goto cleanup;
    for (uint32_t lo = 0; lo < np && rc == AP_OK; lo += CHUNK) {
        uint32_t hi = np - lo < CHUNK ? np : lo + CHUNK, n_a = 0, n_b = 0;
        uint32_t *ia = calloc(hi - lo, sizeof *ia), *ib = calloc(hi - lo, sizeof *ib);
        if (ia == NULL || ib == NULL) {
            free(ia);
            free(ib);
            rc = ap_error_nomem(err);
            break;
        }
        for (uint32_t i = lo; i < hi; i++) {       /* each side runs its own partners */
            ia[i - lo] = pairs[i].in_a != NONE ? n_a : NONE;
            ib[i - lo] = pairs[i].in_b != NONE ? n_b : NONE;
            if (pairs[i].in_a != NONE)
                pa[n_a++] = pairs[i].in_a;
            if (pairs[i].in_b != NONE)
                pb[n_b++] = pairs[i].in_b;
        }
        if ((rc = reach_of(ha, s->a, pa, n_a, NULL, nthreads, err)) == AP_OK
            && (rc = reach_of(hb, s->b, pb, n_b, key_b, nthreads, err)) == AP_OK) {
            static const holding empty = { NULL, 0, 0 };
            for (uint32_t i = lo; i < hi && rc == AP_OK; i++)
                rc = compare(d, s, pairs[i].id, ia[i - lo] != NONE ? &ha[ia[i - lo]] : &empty,
                             ib[i - lo] != NONE ? &hb[ib[i - lo]] : &empty, err);
        }
        holdings_clear(ha, CHUNK);
        holdings_clear(hb, CHUNK);
        free(ia);
        free(ib);
    }
    if (rc == AP_OK && d->nreach > 1)
        qsort(d->reach, d->nreach, sizeof *d->reach, reach_cmp);
cleanup:
    free(key_b);
    free(pa);
    free(pb);
    free(ha);
    free(hb);
    free(pairs);
    return rc;
}

int ap_snapdiff_compute(ap_snapdiff **out, const ap_graph *a, const ap_graph *b,
                        const char *partner, unsigned nthreads, ap_error *err)
{
    ap_snapdiff *d = calloc(1, sizeof *d);
    sides s = { a, b };
    int rc;
    *out = NULL;
    if (d == NULL)
        return ap_error_nomem(err);
    if ((rc = diff_nodes(d, a, b, err)) < 0 || (rc = diff_edges(d, a, b, err)) < 0
        || (rc = diff_reach(d, &s, partner, nthreads, err)) < 0) {
        ap_snapdiff_free(d);
        return rc;
    }
    *out = d;
    return AP_OK;
}
