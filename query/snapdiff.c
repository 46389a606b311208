/* query/snapdiff.c: two snapshots compared (include/authpath/diff.h): nodes and edges by id, and
 * each partner's authority by target, computed 64 partners at a time by the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diff.h"
#include "authpath/query.h"
#include "query_internal.h"

#define NONE UINT32_MAX
/* Partners per kernel run: bounds the reach held at once (a run costs one kernel preparation;
 * at 8% reach of a million nodes, 256 partners hold about 330 MB a side). */
#define CHUNK 256u
/* Up to this many partners, each is computed alone (the kernel's preparation costs more). */
#define FEW 8u

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

/* Edges of g sorted by id (ids are unique in a snapshot; ap_graph_find_edge() is a scan, too
 * slow for millions), as small entries so that sorting millions moves little. */
typedef struct {
    const char *id;
    uint32_t index;
} by_id;

static int by_id_cmp(const void *x, const void *y)
{
    return strcmp(((const by_id *)x)->id, ((const by_id *)y)->id);
}

static by_id *edges_by_id(const ap_graph *g)
{
    uint32_t m = ap_graph_edge_count(g);
    by_id *order = malloc(((size_t)m + 1) * sizeof *order);
    if (order == NULL)
        return NULL;
    for (uint32_t e = 0; e < m; e++)
        order[e] = (by_id){ ap_graph_edge(g, e)->id, e };
    if (m > 1)
        qsort(order, m, sizeof *order, by_id_cmp);
    return order;
}

/* Where authority may differ: seed[v] for a node of that side whose own fields, liveness or
 * out-edges differ from the other side's (or that the other side lacks), then (spread) every
 * node with a route of live traversable edges to a seed. A partner unmarked on both sides
 * reaches the same nodes through the same edges in both: its authority is the same. */
typedef struct {
    bool *a, *b;            /* by node of a, of b; NULL: every partner is compared */
} touched;

/* Both edge lists merged by id: removed, added, or changed in place; the tails of the edges
 * that differ (in what they carry, too) seeded in t. */
static int diff_edges(ap_snapdiff *d, const ap_graph *a, const ap_graph *b, touched *t,
                      ap_error *err)
{
    by_id *ea = edges_by_id(a), *eb = edges_by_id(b);
    uint32_t ma = ap_graph_edge_count(a), mb = ap_graph_edge_count(b), i = 0, j = 0;
    int rc = AP_OK;
    if (ea == NULL || eb == NULL)
        rc = ap_error_nomem(err);
    while (rc == AP_OK && (i < ma || j < mb)) {
        const ap_edge *x = i < ma ? ap_graph_edge(a, ea[i].index) : NULL;
        const ap_edge *y = j < mb ? ap_graph_edge(b, eb[j].index) : NULL;
        int c = x == NULL ? 1 : y == NULL ? -1 : strcmp(x->id, y->id);
        ap_diff_item it;
        memset(&it, 0, sizeof it);
        if (c < 0) {
            it.op = AP_DIFF_REMOVED;
            it.index = ea[i++].index;
            t->a[x->from] = true;
        } else if (c > 0) {
            it.op = AP_DIFF_ADDED;
            it.index = eb[j++].index;
            t->b[y->from] = true;
        } else {
            edge_fields(it.fields, a, x, b, y);
            it.op = AP_DIFF_CHANGED;
            it.index = eb[j].index;
            i++;
            j++;
            if (it.fields[0] != '\0' || x->own_live != y->own_live || x->live != y->live
                || x->traversable != y->traversable)
                t->a[x->from] = t->b[y->from] = true;
            if (it.fields[0] == '\0')
                continue;
        }
        if (ap_query__push(&d->edges, &d->nedges, sizeof it, &it) < 0)
            rc = ap_error_nomem(err);
    }
    free(ea);
    free(eb);
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
    uint32_t n, cap;
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
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 64;
        held *p = realloc(h->items, (size_t)cap * sizeof *p);
        if (p == NULL) {
            h->failed = 1;
            return;
        }
        h->items = p;
        h->cap = cap;
    }
    h->items[h->n++] = x;
}

/* The authority of partners (nodes of g) into slots (one each, empty on entry). */
static int reach_of(holding *slots, const ap_graph *g, const uint32_t *partners, uint32_t n,
                    const uint32_t *key, unsigned nthreads, ap_error *err)
{
    collect c = { slots, key, ap_vocab_all(ap_graph_vocab(g)) };
    int rc = AP_OK;
    if (n > FEW)
        rc = ap_authority_all(g, partners, n, nthreads, visit, &c, err);
    for (uint32_t i = 0; n <= FEW && i < n && rc == AP_OK; i++) {
        ap_authority *au = NULL;        /* a few: the single-source engine, no kernel to build */
        if ((rc = ap_authority_compute(&au, g, partners[i], err)) < 0)
            break;
        for (uint32_t k = 0; k < au->nreach; k++)
            visit(&c, i, au->reach[k], au->rights[au->reach[k]]);
        ap_authority_free(au);
    }
    for (uint32_t i = 0; rc == AP_OK && i < n; i++)
        if (slots[i].failed)
            return ap_error_nomem(err);
    return rc;
}

typedef struct {
    const ap_graph *a, *b;
    ap_rights *before;      /* by common key: the rights the partner being compared held in a */
    uint32_t *stamp;        /* by common key: == gen when set for this partner, gen + 1 seen */
    uint32_t gen;
    const bool *touched_a, *touched_b;  /* touched.a, .b; NULL: compare every partner */
} sides;

static const char *key_id(const sides *s, uint32_t key)
{
    uint32_t na = ap_graph_node_count(s->a);
    return key < na ? ap_graph_node(s->a, key)->id : ap_graph_node(s->b, key - na)->id;
}

static int emit(ap_snapdiff *d, const sides *s, const char *partner, uint32_t key,
                ap_rights before, ap_rights after, ap_error *err)
{
    ap_diff_reach r = { partner, key_id(s, key), before, after };
    if (before == after || strcmp(r.target, partner) == 0)
        return AP_OK;
    if (ap_query__push(&d->reach, &d->nreach, sizeof r, &r) < 0)
        return ap_error_nomem(err);
    return AP_OK;
}

/* One partner's holdings before (x) and after (y) into d->reach, in time linear in them: x is
 * spread over the dense arrays, then y and what is left of x are read against them. */
static int compare(ap_snapdiff *d, sides *s, const char *partner, const holding *x,
                   const holding *y, ap_error *err)
{
    uint32_t gen = s->gen += 2;
    int rc = AP_OK;
    for (uint32_t i = 0; i < x->n; i++) {
        s->before[x->items[i].target] = x->items[i].rights;
        s->stamp[x->items[i].target] = gen;
    }
    for (uint32_t j = 0; j < y->n && rc == AP_OK; j++) {
        uint32_t k = y->items[j].target;
        ap_rights before = s->stamp[k] == gen ? s->before[k] : 0;
        s->stamp[k] = gen + 1;
        rc = emit(d, s, partner, k, before, y->items[j].rights, err);
    }
    for (uint32_t i = 0; i < x->n && rc == AP_OK; i++)
        if (s->stamp[x->items[i].target] == gen)
            rc = emit(d, s, partner, x->items[i].target, x->items[i].rights, 0, err);
    return rc;
}

static int reach_cmp(const void *x, const void *y)
{
    const ap_diff_reach *p = x, *q = y;
    int c = strcmp(p->partner, q->partner);
    return c != 0 ? c : strcmp(p->target, q->target);
}

/* Empty for the next run; with release, its memory freed too (a run's holdings are most of
 * what a diff of a large estate holds: kept, they would add half again). */
static void holdings_clear(holding *h, uint32_t n, bool release)
{
    for (uint32_t i = 0; i < n; i++) {
        if (release) {
            free(h[i].items);
            h[i].items = NULL;
            h[i].cap = 0;
        }
        h[i].n = 0;
        h[i].failed = 0;
    }
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
            if (s->touched_a != NULL && p.in_a != NONE && p.in_b != NONE
                && !s->touched_a[p.in_a] && !s->touched_b[p.in_b])
                continue;       /* the same authority on both sides: nothing to report */
            if (ap_query__push(out, n, sizeof p, &p) < 0)
                return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

static int diff_reach(ap_snapdiff *d, sides *s, const char *only, unsigned nthreads,
                      ap_error *err)
{
    uint32_t na = ap_graph_node_count(s->a), nb = ap_graph_node_count(s->b), np = 0;
    uint32_t *key_b = malloc(((size_t)nb + 1) * sizeof *key_b);
    uint32_t *pa = malloc(CHUNK * sizeof *pa), *pb = malloc(CHUNK * sizeof *pb);
    holding *ha = calloc(CHUNK, sizeof *ha), *hb = calloc(CHUNK, sizeof *hb);
    partner_pair *pairs = NULL;
    int rc = AP_OK;
    s->before = malloc(((size_t)na + nb + 1) * sizeof *s->before);
    s->stamp = calloc((size_t)na + nb + 1, sizeof *s->stamp);
    if (key_b == NULL || pa == NULL || pb == NULL || ha == NULL || hb == NULL
        || s->before == NULL || s->stamp == NULL) {
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
            static const holding empty = { NULL, 0, 0, 0 };
            for (uint32_t i = lo; i < hi && rc == AP_OK; i++)
                rc = compare(d, s, pairs[i].id, ia[i - lo] != NONE ? &ha[ia[i - lo]] : &empty,
                             ib[i - lo] != NONE ? &hb[ib[i - lo]] : &empty, err);
        }
        holdings_clear(ha, CHUNK, true);
        holdings_clear(hb, CHUNK, true);
        free(ia);
        free(ib);
    }
    if (rc == AP_OK && d->nreach > 1)
        qsort(d->reach, d->nreach, sizeof *d->reach, reach_cmp);
cleanup:
    if (ha != NULL)
        holdings_clear(ha, CHUNK, true);
    if (hb != NULL)
        holdings_clear(hb, CHUNK, true);
    free(s->before);
    free(s->stamp);
    free(key_b);
    free(pa);
    free(pb);
    free(ha);
    free(hb);
    free(pairs);
    return rc;
}

/* Seeds of nodes: on both sides, a node the other side lacks or holds with other fields or
 * liveness; then each side's seeds mirrored onto the other by id. */
static void seed_nodes(touched *t, const ap_graph *a, const ap_graph *b)
{
    for (uint32_t v = 0; v < ap_graph_node_count(a); v++) {
        const ap_node *x = ap_graph_node(a, v);
        int64_t w = ap_graph_find(b, x->id);
        char f[128] = "";
        if (w >= 0) {
            node_fields(f, x, ap_graph_node(b, (uint32_t)w));
            if (f[0] == '\0' && x->live == ap_graph_node(b, (uint32_t)w)->live && !t->a[v]
                && !t->b[w])
                continue;
            t->b[w] = true;
        }
        t->a[v] = true;
    }
    for (uint32_t w = 0; w < ap_graph_node_count(b); w++) {
        int64_t v;
        if (t->b[w] && (v = ap_graph_find(a, ap_graph_node(b, w)->id)) >= 0)
            t->a[v] = true;
        else if (!t->b[w] && ap_graph_find(a, ap_graph_node(b, w)->id) < 0)
            t->b[w] = true;
    }
}

/* Every node of g with a route of live traversable edges to a marked one, marked (a backward
 * search: a superset of where authority can meet what changed). */
static int spread(bool *mark, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), *queue = malloc(((size_t)n + 1) * sizeof *queue);
    uint32_t head = 0, tail = 0;
    if (queue == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        if (mark[v])
            queue[tail++] = v;
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (!e->traversable || !e->own_live || mark[e->from])
                continue;
            mark[e->from] = true;
            queue[tail++] = e->from;
        }
    }
    free(queue);
    return AP_OK;
}

static bool same_vocab(const ap_graph *a, const ap_graph *b)
{
    const ap_vocab *x = ap_graph_vocab(a), *y = ap_graph_vocab(b);
    if (x->count != y->count)
        return false;
    for (unsigned i = 0; i < x->count; i++)
        if (strcmp(x->names[i], y->names[i]) != 0)
            return false;
    return true;
}

int ap_snapdiff_compute(ap_snapdiff **out, const ap_graph *a, const ap_graph *b,
                        const char *partner, unsigned nthreads, ap_error *err)
{
    ap_snapdiff *d = calloc(1, sizeof *d);
    sides s = { a, b, NULL, NULL, 0, NULL, NULL };
    touched t = { calloc((size_t)ap_graph_node_count(a) + 1, sizeof *t.a),
                  calloc((size_t)ap_graph_node_count(b) + 1, sizeof *t.b) };
    int rc;
    *out = NULL;
    if (d == NULL || t.a == NULL || t.b == NULL) {
        rc = ap_error_nomem(err);
        goto fail;
    }
    if ((rc = diff_nodes(d, a, b, err)) < 0 || (rc = diff_edges(d, a, b, &t, err)) < 0)
        goto fail;
    seed_nodes(&t, a, b);
    if ((rc = spread(t.a, a, err)) < 0 || (rc = spread(t.b, b, err)) < 0)
        goto fail;
    if (same_vocab(a, b)) {     /* else the same bits may name other rights: compare all */
        s.touched_a = t.a;
        s.touched_b = t.b;
    }
    if ((rc = diff_reach(d, &s, partner, nthreads, err)) < 0)
        goto fail;
    free(t.a);
    free(t.b);
    *out = d;
    return AP_OK;
fail:
    free(t.a);
    free(t.b);
    ap_snapdiff_free(d);
    return rc;
}
