/* query/authority.c: one source's authority by docs/design.md's rounds. A round-synchronous
 * worklist: round k re-reads only the nodes whose rights changed in round k-1. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "query_internal.h"

void ap_authority_free(ap_authority *a)
{
    if (a == NULL)
        return;
    free(a->rights);
    free(a->hops);
    free(a->row);
    free(a->reach);
    free(a->arrivals);
    free(a);
}

/* The nodes reached so far, numbered in order of first arrival (0: the source): a node's number
 * is its row of arrivals. Everything the rounds keep is proportional to the reach: only rights,
 * hops and row span the graph. */
typedef struct {
    uint32_t node;
    uint32_t round;         /* the last round in which it received something new */
} reached;

typedef struct {
    reached *r;
    uint32_t nr, rcap;
    ap_arrival *arr;                        /* nr rows of nclasses */
    uint32_t acap;                          /* rows allocated */
    uint32_t *touched, ntouched, tcap;      /* numbers of the nodes changed in this round */
    uint32_t *frontier, nfrontier, fcap;    /* ... in the previous round */
    uint32_t *at, nat, atcap;               /* where each round's new nodes start in reach */
    uint64_t *changed;                      /* a bit per node: changed in this round */
    ap_rights *have;                        /* A_{k-1} of each frontier node */
} round_state;

static int grow(void *arr, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*(void **)arr, (size_t)ncap * size);
    if (p == NULL)
        return -1;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/* The classes of rights: one per right of the vocabulary, and one for every bit beyond it. */
static void set_classes(ap_authority *a, const ap_graph *g)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    unsigned count = voc->count < AP_MAX_RIGHTS ? voc->count : AP_MAX_RIGHTS;
    a->nclasses = 0;
    for (unsigned i = 0; i < count; i++)
        a->class_mask[a->nclasses++] = (ap_rights)1 << i;
    if (count < AP_MAX_RIGHTS)
        a->class_mask[a->nclasses++] = ~ap_vocab_all(voc);
}

/* The rounds' tie-breaks and the chain walks both choose classes here, so a chain's length is
 * what its arrival says. */
int ap_query__best_class(const ap_authority *a, const ap_arrival *row, ap_rights want,
                         uint32_t max_round, bool len_first)
{
    int best = -1;
    for (uint32_t c = 0; c < a->nclasses; c++) {
        const ap_arrival *x = &row[c];
        if (!(a->class_mask[c] & want) || x->round == AP_UNREACHED || x->round > max_round)
            continue;
        if (best >= 0) {
            const ap_arrival *y = &row[best];
            uint32_t k1 = len_first ? x->len : x->round, k2 = len_first ? x->round : x->len;
            uint32_t b1 = len_first ? y->len : y->round, b2 = len_first ? y->round : y->len;
            if (k1 > b1 || (k1 == b1 && k2 >= b2))
                continue;
        }
        best = (int)c;
    }
    return best;
}

/* The length of the shortest chain u (number lu) held by the round before `round`: what an
 * escalating step from u extends (0 at the source, which holds no arrival). It stays the same
 * through the round: an arrival of this round never counts. */
static uint32_t escalation_len(const ap_authority *a, const round_state *rs, uint32_t lu,
                               uint32_t round)
{
    const ap_arrival *from = &rs->arr[(size_t)lu * a->nclasses];
    int c = ap_query__best_class(a, from, AP_RIGHTS_ALL, round - 1, true);
    return c >= 0 ? from[c].len : 0;
}

/* A delivery of r to v in round `round` from u (number lu) over edge eidx. Deliveries are
 * applied at once: the frontier reads its A_{k-1} from rs->have, so the round still sees only
 * what the previous one left, and rights[v] ends the round as A_{k-1}(v) | everything sent.
 * Each class new to v in this round records the delivery with the shortest chain (then the
 * lowest edge index): a passing step extends the chain of the same class at u, an escalating
 * one the shortest chain u held by the previous round. */
static int deliver(ap_authority *a, round_state *rs, uint32_t eidx, uint32_t lu, uint32_t v,
                   ap_rights r, uint32_t round, bool escalates, uint32_t esc_len)
{
    uint32_t nc = a->nclasses;
    reached *x;
    ap_rights had = a->rights[v];       /* 0 only when unreached: r is never empty */
    /* most deliveries bring nothing: said by v's rights and a bit (a small array, mostly
     * cached) without reading v's hops, row and arrivals */
    if ((r & ~had) == 0 && !(rs->changed[v >> 6] >> (v & 63) & 1))
        return 0;
    if (had == 0) {
        if (grow(&rs->r, &rs->rcap, rs->nr + 1, sizeof *rs->r) < 0
            || grow(&rs->touched, &rs->tcap, rs->ntouched + 1, sizeof *rs->touched) < 0)
            return -1;
        if (rs->nr + 1 > rs->acap) {
            uint32_t cap = rs->acap;
            ap_arrival *p;
            while (cap < rs->nr + 1)
                cap = cap ? cap * 2 : 64;
            if ((p = realloc(rs->arr, (size_t)cap * nc * sizeof *p)) == NULL)
                return -1;
            rs->arr = p;
            rs->acap = cap;
        }
        for (uint32_t c = 0; c < nc; c++)
            rs->arr[(size_t)rs->nr * nc + c] = (ap_arrival){ AP_UNREACHED, AP_UNREACHED, 0 };
        x = &rs->r[rs->nr];
        x->node = v;
        x->round = AP_UNREACHED;
        a->hops[v] = round;
        a->row[v] = rs->nr++;
    }
    x = &rs->r[a->row[v]];
    ap_rights fresh = r & ~a->rights[v];
    if (fresh == 0 && x->round != round)
        return 0;                   /* nothing new, and nothing new this round to compete for */
    ap_arrival *to = &rs->arr[(size_t)a->row[v] * nc], *from = &rs->arr[(size_t)lu * nc];
    for (uint32_t c = 0; c < nc; c++) {
        ap_arrival *t = &to[c];
        if (!(r & a->class_mask[c]) || (t->round != AP_UNREACHED && t->round != round))
            continue;
        uint32_t len = (escalates ? esc_len : from[c].len) + 1;
        if (t->round == AP_UNREACHED || len < t->len || (len == t->len && eidx < t->edge))
            *t = (ap_arrival){ round, eidx, len };
    }
    if (fresh == 0)
        return 0;
    if (x->round != round) {
        if (grow(&rs->touched, &rs->tcap, rs->ntouched + 1, sizeof *rs->touched) < 0)
            return -1;
        x->round = round;
        rs->touched[rs->ntouched++] = a->row[v];
        rs->changed[v >> 6] |= (uint64_t)1 << (v & 63);
    }
    a->rights[v] |= fresh;
    return 0;
}

/* A round's deliveries wait in a short queue, each target's marks (rights, hops, row) asked of
 * the memory when it joins and, half the queue later, its reached record and row of arrivals
 * (found through its row), so that the cache misses of several overlap instead of following
 * one another. They are delivered in the order they came: a round's deliveries read only what
 * the previous round left (have), so the result is the same. */
#define QUEUE 16
/* The frontier's marks are asked for this many nodes ahead. */
#define AHEAD_NODES 16u

typedef struct {
    uint32_t edge, lu, v;
    bool escalates;
    ap_rights r;
    uint32_t esc_len;           /* an escalating step's chain before it (escalation_len) */
} pending;

typedef struct {
    pending p[QUEUE];
    uint32_t head, count;
} delivery_queue;

static int queue_push(ap_authority *a, round_state *rs, delivery_queue *q, const pending *d,
                      uint32_t round)
{
    if (q->count == QUEUE) {
        const pending *x = &q->p[q->head];
        if (deliver(a, rs, x->edge, x->lu, x->v, x->r, round, x->escalates, x->esc_len) < 0)
            return -1;
        q->head = (q->head + 1) % QUEUE;
        q->count--;
    }
    if (q->count >= QUEUE / 2) {
        uint32_t l = a->row[q->p[(q->head + q->count - QUEUE / 2) % QUEUE].v];
        if (l != AP_UNREACHED) {
            __builtin_prefetch(&rs->r[l]);
            __builtin_prefetch(&rs->arr[(size_t)l * a->nclasses]);
        }
    }
    __builtin_prefetch(&a->rights[d->v]);
    __builtin_prefetch(&a->hops[d->v]);
    __builtin_prefetch(&a->row[d->v]);
    q->p[(q->head + q->count++) % QUEUE] = *d;
    return 0;
}

static int queue_flush(ap_authority *a, round_state *rs, delivery_queue *q, uint32_t round)
{
    for (; q->count > 0; q->count--, q->head = (q->head + 1) % QUEUE) {
        const pending *x = &q->p[q->head];
        if (deliver(a, rs, x->edge, x->lu, x->v, x->r, round, x->escalates, x->esc_len) < 0)
            return -1;
    }
    return 0;
}

/* Sort v[0..n) (node indices below 1 << bits) by value: a long run least significant digit
 * first, 11 bits a pass, through tmp (each pass costs its 2,048 counters: not worth it for a
 * short run, below 128, sorted in place). */
static void sort_ids(uint32_t *v, uint32_t *tmp, uint32_t n, unsigned bits)
{
    if (n < 128) {          /* a round's few: insertion, no call per comparison */
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = v[i], j = i;
            for (; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    uint32_t *from = v, *to = tmp;
    for (unsigned shift = 0; shift < bits; shift += 11) {
        uint32_t count[2048 + 1] = { 0 };
        for (uint32_t i = 0; i < n; i++)
            count[(from[i] >> shift & 2047) + 1]++;
        for (uint32_t d = 0; d < 2048; d++)
            count[d + 1] += count[d];
        for (uint32_t i = 0; i < n; i++)
            to[count[from[i] >> shift & 2047]++] = from[i];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
}

/* The reach list by hops, then id: nodes are numbered by first arrival, so each round's new
 * nodes follow the earlier rounds' (at[k] is where round k + 1's begin); only a round's own
 * need sorting, by id (node index order is id order: the order is total). */
static void sort_reach(uint32_t *v, uint32_t *tmp, const uint32_t *at, uint32_t nat,
                       uint32_t n, uint32_t nodes)
{
    unsigned bits = 1;
    while (bits < 32 && (nodes >> bits) != 0)
        bits++;
    for (uint32_t k = 0; k < nat; k++) {
        uint32_t lo = at[k], hi = k + 1 < nat ? at[k + 1] : n;
        sort_ids(v + lo, tmp, hi - lo, bits);
    }
}

/* What slot s of frontier node u (holding have) carries in a run from source: what
 * ap_edge_usable and ap_edge_transfer say of its edge (0: nothing, or not usable). */
static inline ap_rights slot_carries(const ap_out_view *view, ap_out_slot s, const uint64_t *only,
                                     uint32_t source, uint32_t u, ap_rights have)
{
    if ((s.meta & AP_OUT_DEAD) || (only != NULL && !(only[s.to >> 6] >> (s.to & 63) & 1)))
        return 0;
    if (!(s.meta & AP_OUT_LIVE)
        && (((s.meta & AP_OUT_FROM_DEAD) && u != source)
            || ((s.meta & AP_OUT_TO_DEAD) && s.to != source)))
        return 0;
    const ap_out_type *t = &view->types[s.meta & AP_OUT_TYPE];
    if (t->requires != 0 && (have & t->requires) == 0)
        return 0;
    return t->escalates ? t->rights : (have & t->rights);
}

/* One frontier node's out-edges read from the view's slots: what the loop of run() does with
 * the edge records (ap_edge_usable, ap_edge_transfer), the same deliveries in the same order. */
static int view_row(ap_authority *a, round_state *rs, delivery_queue *q, const ap_out_view *view,
                    const uint64_t *only, uint32_t source, uint32_t u, uint32_t lu, uint32_t i,
                    uint32_t round, uint32_t *esc_len)
{
    ap_rights have = rs->have[i];
    uint32_t end = view->off[u + 1];
    if (have == 0)
        return 0;
    for (uint32_t e = view->off[u]; e < end; e++) {
        ap_out_slot s = view->slot[e];
        ap_rights r = slot_carries(view, s, only, source, u, have);
        if (r == 0)
            continue;
        const ap_out_type *t = &view->types[s.meta & AP_OUT_TYPE];
        if (t->escalates && *esc_len == AP_UNREACHED)
            *esc_len = escalation_len(a, rs, lu, round);
        pending d = { view->eid != NULL ? view->eid[e] : e, lu, s.to, t->escalates, r,
                      *esc_len };
        if (queue_push(a, rs, q, &d, round) < 0)
            return -1;
    }
    return 0;
}

/* An authority workspace: one graph's per-node arrays and the rounds' buffers, kept from one
 * source to the next. A run clears only what the previous one reached, so a run costs its
 * reach, not the graph, and allocates nothing once the buffers have grown. */
struct ap_authority_ws {
    ap_authority a;         /* the last result; its arrays (arrivals: rs.arr) owned here */
    bool dirty;             /* a holds a result whose marks must be cleared first */
    round_state rs;
    uint32_t hcap;          /* entries of rs.have */
    uint32_t nc;            /* classes rs.acap was counted in */
    uint32_t *tmp, tmpcap, reachcap;
    const ap_out_view *view;    /* slots to read instead of edge records, or NULL */
    bool block;                 /* every partner but the source receives but sends nothing */
    uint64_t *partners;         /* a bit per partner node, made for the first blocked run: a
                                 * frontier node's record is not read to learn its kind */
    const uint64_t *only;       /* NULL, or a bit per node: the only heads deliveries go to */
    bool (*probe)(void *ctx, uint32_t v, uint32_t round);  /* ap_query__authority_ws_probe */
    void *probe_ctx;
};

void ap_query__authority_ws_view(ap_authority_ws *ws, const ap_out_view *view)
{
    ws->view = view;
}

void ap_query__authority_ws_block(ap_authority_ws *ws, bool on)
{
    ws->block = on;
}

void ap_query__authority_ws_only(ap_authority_ws *ws, const uint64_t *nodes)
{
    ws->only = nodes;
}

void ap_query__authority_ws_probe(ap_authority_ws *ws,
                                  bool (*probe)(void *ctx, uint32_t v, uint32_t round),
                                  void *ctx)
{
    ws->probe = probe;
    ws->probe_ctx = ctx;
}

/* Before round `round` delivers anything: each node it will first reach, told to the probe (once
 * a slot that carries something into it, so perhaps more than once); true when the probe says
 * it needs no more. Only what a delivery tests is read: the frontier's slots and the heads'
 * rights, none of the records a delivery writes. */
static bool probe_round(ap_authority_ws *ws, const ap_out_view *view, uint32_t source,
                        uint32_t round)
{
    const ap_authority *a = &ws->a;
    const round_state *rs = &ws->rs;
    const uint64_t *only = view->eid != NULL ? NULL : ws->only;
    bool stop = false;
    for (uint32_t i = 0; i < rs->nfrontier; i++) {
        uint32_t u = rs->r[rs->frontier[i]].node, end = view->off[u + 1];
        if (i + AHEAD_NODES < rs->nfrontier) {      /* the heads of a row ahead */
            uint32_t x = rs->r[rs->frontier[i + AHEAD_NODES]].node;
            for (uint32_t e = view->off[x]; e < view->off[x + 1] && e < view->off[x] + 8; e++)
                __builtin_prefetch(&a->rights[view->slot[e].to]);
        }
        if (rs->have[i] == 0
            || (ws->block && u != source && (ws->partners[u >> 6] >> (u & 63) & 1)))
            continue;
        for (uint32_t e = view->off[u]; e < end; e++) {
            ap_out_slot sl = view->slot[e];
            if (a->rights[sl.to] == 0 && slot_carries(view, sl, only, source, u, rs->have[i]) != 0)
                stop |= ws->probe(ws->probe_ctx, sl.to, round);
        }
    }
    return stop;
}

void ap_query__authority_ws_free(ap_authority_ws *ws)
{
    if (ws == NULL)
        return;
    free(ws->a.rights);
    free(ws->a.hops);
    free(ws->a.row);
    free(ws->a.reach);
    free(ws->rs.arr);
    free(ws->rs.r);
    free(ws->rs.touched);
    free(ws->rs.frontier);
    free(ws->rs.have);
    free(ws->rs.at);
    free(ws->rs.changed);
    free(ws->tmp);
    free(ws->partners);
    free(ws);
}

int ap_query__authority_ws_new(ap_authority_ws **out, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g);
    ap_authority_ws *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (ws == NULL)
        return ap_error_nomem(err);
    ws->a.n = n;
    set_classes(&ws->a, g);
    ws->a.rights = calloc((size_t)n + 1, sizeof *ws->a.rights);   /* sparse: reached pages */
    ws->a.hops = ap_query__big_alloc(((size_t)n + 1) * sizeof *ws->a.hops);
    ws->a.row = ap_query__big_alloc(((size_t)n + 1) * sizeof *ws->a.row);
    ws->rs.changed = calloc((size_t)n / 64 + 1, sizeof *ws->rs.changed);
    if (ws->a.rights == NULL || ws->a.hops == NULL || ws->a.row == NULL
        || ws->rs.changed == NULL
        || grow(&ws->rs.arr, &ws->rs.acap, 64, ws->a.nclasses * sizeof *ws->rs.arr) < 0
        || grow(&ws->rs.r, &ws->rs.rcap, 1, sizeof *ws->rs.r) < 0
        || grow(&ws->rs.frontier, &ws->rs.fcap, 1, sizeof *ws->rs.frontier) < 0) {
        ap_query__authority_ws_free(ws);
        return ap_error_nomem(err);
    }
    ws->nc = ws->a.nclasses;
    memset(ws->a.hops, 0xff, (size_t)n * sizeof *ws->a.hops);
    memset(ws->a.row, 0xff, (size_t)n * sizeof *ws->a.row);
    *out = ws;
    return AP_OK;
}

/* Clear the marks of the previous run: only the nodes it reached. */
static void clear(ap_authority_ws *ws)
{
    ap_authority *a = &ws->a;
    if (!ws->dirty)
        return;
    for (uint32_t l = 0; l < ws->rs.nr; l++) {
        uint32_t v = ws->rs.r[l].node;
        a->rights[v] = 0;
        a->hops[v] = AP_UNREACHED;
        a->row[v] = AP_UNREACHED;
    }
    ws->dirty = false;
}

/* The run; within: NULL, or a bit per edge: the only edges deliveries cross
 * (ap_graph_ancestry); enough: NULL, or stop after the first round in which it says so of a
 * node first reached in that round (ap_query__authority_run_until). */
static int run(const ap_authority **out, ap_authority_ws *ws, const ap_graph *g,
               uint32_t source, const uint64_t *within,
               bool (*enough)(void *ctx, const ap_authority *a, uint32_t v), void *ctx,
               ap_error *err)
{
    ap_authority *a = &ws->a;
    round_state *rs = &ws->rs;
    uint32_t n = ap_graph_node_count(g);
    const ap_out_view *view = ws->view != NULL && ws->view->g == g && within == NULL
                              ? ws->view : NULL;
    *out = NULL;
    if (n != a->n)
        return ap_error_set(err, AP_EBUG, "authority workspace for %u nodes, graph of %u",
                            a->n, n);
    if (source >= n)
        return ap_error_set(err, AP_EBUG, "source %u out of range", source);
    if (ws->probe != NULL && view == NULL)      /* it would run on, heard of nothing */
        return ap_error_set(err, AP_EBUG, "a probed run reads an out view of its graph");
    clear(ws);
    ws->dirty = true;
    set_classes(a, g);
    if (a->nclasses != ws->nc) {        /* rows of another width: recount them */
        rs->acap = (uint32_t)((size_t)rs->acap * ws->nc / a->nclasses);
        ws->nc = a->nclasses;
    }
    if (grow(&rs->arr, &rs->acap, 1, (size_t)a->nclasses * sizeof *rs->arr) < 0
        || grow(&rs->frontier, &rs->fcap, 1, sizeof *rs->frontier) < 0)   /* swapped: any */
        return ap_error_nomem(err);
    a->source = source;
    a->rounds = 0;
    a->blocked = ws->block;
    if (ws->block && ws->partners == NULL && (ws->partners = ap_query__partner_bits(g)) == NULL)
        return ap_error_nomem(err);

    /* Round 0: the source holds everything. */
    a->rights[source] = AP_RIGHTS_ALL;
    a->hops[source] = 0;
    a->row[source] = 0;
    for (uint32_t c = 0; c < a->nclasses; c++)
        rs->arr[c] = (ap_arrival){ 0, AP_UNREACHED, 0 };
    rs->r[0] = (reached){ .node = source, .round = 0 };
    rs->nr = 1;
    rs->frontier[0] = 0;
    rs->nfrontier = 1;
    rs->ntouched = 0;
    rs->nat = 0;

    /* Round k reads A_{k-1} of the nodes that changed in round k-1 (the others deliver what
     * they delivered before, so every first arrival of round k comes from the frontier). */
    for (uint32_t round = 1; rs->nfrontier > 0; round++) {
        if (grow(&rs->have, &ws->hcap, rs->nfrontier, sizeof *rs->have) < 0)
            return ap_error_nomem(err);
        ap_rights *have = rs->have;
        for (uint32_t i = 0; i < rs->nfrontier; i++) {
            if (i + AHEAD_NODES < rs->nfrontier)
                __builtin_prefetch(&a->rights[rs->r[rs->frontier[i + AHEAD_NODES]].node]);
            have[i] = a->rights[rs->r[rs->frontier[i]].node];
        }
        if (ws->probe != NULL && probe_round(ws, view, source, round))
            break;                      /* the result: the rounds before this one */
        rs->ntouched = 0;
        uint32_t known = rs->nr;        /* the nodes reached before this round */
        delivery_queue q = { .count = 0 };
        if (grow(&rs->at, &rs->atcap, rs->nat + 1, sizeof *rs->at) < 0)
            return ap_error_nomem(err);
        rs->at[rs->nat++] = known - 1;  /* in the reach list, which leaves out the source */
        for (uint32_t i = 0; i < rs->nfrontier; i++) {
            uint32_t lu = rs->frontier[i], u = rs->r[lu].node;
            uint32_t end, esc_len = AP_UNREACHED;
            if (view != NULL && i + 2 * AHEAD_NODES < rs->nfrontier) {
                /* the slots of a node ahead, their offset asked for twice as far ahead */
                __builtin_prefetch(&view->off[rs->r[rs->frontier[i + 2 * AHEAD_NODES]].node]);
                uint32_t ahead = view->off[rs->r[rs->frontier[i + AHEAD_NODES]].node];
                __builtin_prefetch(&view->slot[ahead]);
                if (view->eid != NULL)      /* a view of some heads: its edges apart */
                    __builtin_prefetch(&view->eid[ahead]);
            }
            if (ws->block && u != source && (ws->partners[u >> 6] >> (u & 63) & 1))
                continue;           /* another partner: what it holds goes no further */
            if (view != NULL) {
                /* a view of some heads holds no other */
                if (view_row(a, rs, &q, view, view->eid != NULL ? NULL : ws->only, source, u, lu,
                             i, round, &esc_len) < 0)
                    return ap_error_nomem(err);
                continue;
            }
            end = ap_graph_out_end(g, u);
            for (uint32_t e = ap_graph_out_begin(g, u); e < end; e++) {
                if (within != NULL && !(within[e >> 6] >> (e & 63) & 1))
                    continue;               /* its record is not even built */
                ap_edge tmp;        /* a partial load's record is read in place, not built */
                const ap_edge *ed = ap_graph_edge_fields(g, e, &tmp);
                if (!ap_edge_usable(g, ed, source)
                    || (ws->only != NULL && !(ws->only[ed->to >> 6] >> (ed->to & 63) & 1)))
                    continue;
                ap_rights r = ap_edge_transfer(ed, have[i]);
                if (r == 0)
                    continue;
                if (ed->escalates && esc_len == AP_UNREACHED)
                    esc_len = escalation_len(a, rs, lu, round);
                pending d = { e, lu, ed->to, ed->escalates, r, esc_len };
                if (queue_push(a, rs, &q, &d, round) < 0)
                    return ap_error_nomem(err);
            }
        }
        if (queue_flush(a, rs, &q, round) < 0)
            return ap_error_nomem(err);
        /* the nodes changed in this round are the next frontier, in order of change */
        uint32_t *t = rs->frontier, tc = rs->fcap;
        rs->frontier = rs->touched;
        rs->fcap = rs->tcap;
        rs->nfrontier = rs->ntouched;
        rs->touched = t;
        rs->tcap = tc;
        a->rounds = round;
        for (uint32_t i = 0; i < rs->nfrontier; i++) {     /* the round is over */
            uint32_t v = rs->r[rs->frontier[i]].node;
            rs->changed[v >> 6] &= ~((uint64_t)1 << (v & 63));
        }
        /* the round is over: each node first reached in it, and every node of fewer hops,
         * is known with its hops and the arrivals of its first round */
        bool stop = false;
        for (uint32_t l = known; enough != NULL && l < rs->nr; l++)
            stop |= enough(ctx, a, rs->r[l].node);
        if (stop)
            break;
    }

    /* The reach list: every reached node but the source, by hops then id (numbered by first
     * arrival, the nodes already come by hops). */
    a->nreach = rs->nr - 1;
    if (grow(&ws->tmp, &ws->tmpcap, a->nreach + 1, sizeof *ws->tmp) < 0
        || grow(&a->reach, &ws->reachcap, a->nreach + 1, sizeof *a->reach) < 0)
        return ap_error_nomem(err);
    for (uint32_t l = 1; l < rs->nr; l++)
        a->reach[l - 1] = rs->r[l].node;
    sort_reach(a->reach, ws->tmp, rs->at, rs->nat, a->nreach, n);
    a->arrivals = rs->arr;
    *out = a;
    return AP_OK;
}

int ap_query__authority_run_until(const ap_authority **out, ap_authority_ws *ws,
                                  const ap_graph *g, uint32_t source,
                                  bool (*enough)(void *ctx, const ap_authority *a, uint32_t v),
                                  void *ctx, ap_error *err)
{
    return run(out, ws, g, source, NULL, enough, ctx, err);
}

int ap_query__authority_run(const ap_authority **out, ap_authority_ws *ws, const ap_graph *g,
                            uint32_t source, ap_error *err)
{
    return run(out, ws, g, source, NULL, NULL, NULL, err);
}

static int compute(ap_authority **out, const ap_graph *g, uint32_t source, uint32_t target,
                   ap_error *err)
{
    ap_authority_ws *ws = NULL;
    const ap_authority *r;
    ap_authority *a;
    uint64_t *within = NULL;
    int rc;
    *out = NULL;
    if (source >= ap_graph_node_count(g))
        return ap_error_set(err, AP_EBUG, "source %u out of range", source);
    if (target != AP_UNREACHED && target >= ap_graph_node_count(g))
        return ap_error_set(err, AP_EBUG, "target %u out of range", target);
    /* rights at v are decided by the nodes that can reach v alone (gates and masks are read at
     * an edge's tail, itself one of them): a run over the edges into those nodes gives them
     * exactly the whole run's rights, rounds and arrivals; the source holds every right
     * whatever reaches it */
    if (target != AP_UNREACHED && ap_graph_ancestry(&within, g, target, source) < 0)
        return ap_error_nomem(err);
    if ((a = malloc(sizeof *a)) == NULL) {
        free(within);
        return ap_error_nomem(err);
    }
    if ((rc = ap_query__authority_ws_new(&ws, g, err)) < 0
        || (rc = run(&r, ws, g, source, within, NULL, NULL, err)) < 0) {
        free(within);
        free(a);
        ap_query__authority_ws_free(ws);
        return rc;
    }
    *a = ws->a;                 /* the arrays move to the result */
    ws->a.rights = NULL;
    ws->a.hops = NULL;
    ws->a.row = NULL;
    ws->a.reach = NULL;
    ws->rs.arr = NULL;
    ap_query__authority_ws_free(ws);
    free(within);
    *out = a;
    return AP_OK;
}

int ap_authority_compute(ap_authority **out, const ap_graph *g, uint32_t source, ap_error *err)
{
    return compute(out, g, source, AP_UNREACHED, err);
}

int ap_authority_compute_to(ap_authority **out, const ap_graph *g, uint32_t source,
                            uint32_t target, ap_error *err)
{
    return compute(out, g, source, target, err);
}

size_t ap_authority_chain(const ap_authority *a, const ap_graph *g, uint32_t v, ap_rights want,
                          uint32_t *edges, size_t max)
{
    uint32_t nc = a->nclasses;
    if (v >= a->n || v == a->source || (a->rights[v] & want) == 0)
        return 0;
    int c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], want, AP_UNREACHED,
                                 false);
    if (c < 0)
        return 0;
    /* Walk the arrivals back: a passing step continues with the same class at its tail, an
     * escalating one with the shortest chain its tail held by the round before. Rounds
     * strictly fall, so the walk ends at the source (round 0) after exactly len steps. */
    size_t len = a->arrivals[(size_t)a->row[v] * nc + (uint32_t)c].len, i = len;
    for (uint32_t u = v; u != a->source && i > 0;) {
        const ap_arrival *x = &a->arrivals[(size_t)a->row[u] * nc + (uint32_t)c];
        const ap_edge *e = ap_graph_edge_fields(g, x->edge, NULL);  /* kept: walks repeat */
        if (--i < max)
            edges[i] = x->edge;
        u = e->from;
        if (e->escalates && u != a->source)
            c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * nc], AP_RIGHTS_ALL,
                           x->round - 1, true);
    }
    return len;
}

size_t ap_authority_path(const ap_authority *a, const ap_graph *g, uint32_t v, uint32_t *edges,
                         size_t max)
{
    return ap_authority_chain(a, g, v, AP_RIGHTS_ALL, edges, max);
}
