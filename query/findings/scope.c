/* query/findings/scope.c: purpose you can test. Each partner's declared scope held against
 * what it really reaches (authority-beyond-scope), and partners that declare none. */
#define _GNU_SOURCE             /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/scope.h"
#include "findings_internal.h"
#include "../query_internal.h"

#define SCOPE_LISTED 20         /* targets named in one finding's facts; the rest counted */

/* "a > b > c": the witness chain to v, into buf (cut by buf's size only, never by length). */
static void chain_to(const ap_graph *g, const ap_authority *a, uint32_t v, char *buf,
                     size_t size)
{
    size_t n = ap_authority_path(a, g, v, NULL, 0), used;
    uint32_t *edges = malloc((n + 1) * sizeof *edges);
    snprintf(buf, size, "%s", ap_graph_node(g, a->source)->id);
    if (edges == NULL)
        return;
    ap_authority_path(a, g, v, edges, n);
    for (size_t i = 0; i < n && (used = strlen(buf)) + 1 < size; i++)
        snprintf(buf + used, size - used, " > %s",
                 ap_graph_node(g, ap_graph_edge(g, edges[i])->to)->id);
    free(edges);
}

typedef struct {
    const ap_graph *g;
    const ap_authority *a;
} target_order;

/* Most sensitive first, then the fewest hops, then id. */
static int cmp_target(const void *x, const void *y, void *ctx)
{
    const target_order order_ctx = *(const target_order *)ctx;
    uint32_t u = *(const uint32_t *)x, v = *(const uint32_t *)y;
    ap_sensitivity su = ap_findings__sensitivity(order_ctx.g, u);
    ap_sensitivity sv = ap_findings__sensitivity(order_ctx.g, v);
    if (su != sv)
        return su > sv ? -1 : 1;
    if (order_ctx.a->hops[u] != order_ctx.a->hops[v])
        return order_ctx.a->hops[u] < order_ctx.a->hops[v] ? -1 : 1;
    return strcmp(ap_graph_node(order_ctx.g, u)->id, ap_graph_node(order_ctx.g, v)->id);
}

/* The first SCOPE_LISTED of order[0..n) by cmp_target, in order, moved to its front (a
 * threshold level's round can hold thousands: no need to sort them all); how many. */
static uint32_t first_targets(uint32_t *order, uint32_t n, target_order *ctx)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = order[i], at;
        if (k == SCOPE_LISTED && cmp_target(&x, &order[k - 1], ctx) >= 0)
            continue;
        at = k < SCOPE_LISTED ? k++ : k - 1;   /* the last one kept makes room when full */
        while (at > 0 && cmp_target(&x, &order[at - 1], ctx) < 0) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = x;
    }
    return k;
}

static const char *reason_text(ap_scope_reason why)
{
    switch (why) {
    case AP_SCOPE_RESOURCE: return "which its scope does not name";
    case AP_SCOPE_SENSITIVITY: return "more sensitive than its scope allows";
    case AP_SCOPE_RIGHTS: return "with rights beyond those its scope declares";
    case AP_SCOPE_ENVIRONMENT: return "in an environment outside its scope";
    case AP_SCOPE_JURISDICTION: return "in a jurisdiction outside its scope";
    case AP_SCOPE_WINDOW: return "outside its engagement window";
    }
    return "?";
}

/* ---- authority-beyond-scope ---- */

/* A target outside a partner's scope: what the partner holds there, and why it is outside. */
typedef struct {
    uint32_t v;
    ap_rights r;
    unsigned why;
} outside_target;

/* A partner's targets outside by reason and level (sensitivity + 1), kept or not. */
typedef struct {
    uint32_t n[AP_SCOPE_REASONS][AP_SENS_COUNT + 1];
} outside_count;

/* The level of target v (its sensitivity + 1). */
static int level_of(const ap_rule_ctx *c, uint32_t v)
{
    return (int)ap_findings__sens(c, v) + 1;
}

/* May a target of level lv, outside for the reasons why, still be named: for one of them,
 * fewer than SCOPE_LISTED targets counted so far are more sensitive (counts only grow, so
 * one that may not, never will). */
static bool target_named(const outside_count *oc, unsigned why, int lv)
{
    for (unsigned b = 0; b < AP_SCOPE_REASONS; b++) {
        if (!(why >> b & 1))
            continue;
        uint32_t above = 0;
        for (int s = lv + 1; s <= AP_SENS_COUNT; s++)
            above += oc->n[b][s];
        if (above < SCOPE_LISTED)
            return true;
    }
    return false;
}

/* Partner index i's list without the targets that may no longer be named. */
static void prune(const ap_rule_ctx *c, outside_target *t, uint32_t *nt, const outside_count *oc)
{
    uint32_t kept = 0;
    for (uint32_t k = 0; k < *nt; k++)
        if (target_named(oc, t[k].why, level_of(c, t[k].v)))
            t[kept++] = t[k];
    *nt = kept;
}

/* A finding waiting for the chains of the targets it names: from one run of its partner (the
 * requests of one partner share a run), said when the last is in. The ones named are the
 * first SCOPE_LISTED by cmp_target: every target of the levels above the threshold level
 * (fewer than SCOPE_LISTED), asked for one by one, then the first of that level in reach
 * order (ap_findings__chain_first_n), so the run stops there, not at the last target. */
typedef struct {
    size_t finding;
    ap_scope_reason why;
    uint32_t n;                         /* targets outside */
    uint32_t nreq, said;                /* chains asked for, said so far */
    uint32_t nv, nabove;                /* candidates; the first nabove asked for one by one */
    uint32_t *v;                        /* the candidates (the rest: the threshold level's, by
                                         * index) ... */
    ap_rights *r;                       /* ... and what the partner holds there */
    ap_chain_got *got;                  /* NULL, or the threshold level's first reached */
    uint32_t scope;                     /* its partner's index */
} beyond_wait;

typedef struct {
    bool ready;
    ap_scope **scope;                   /* per partner index: its declared scope, or NULL */
    outside_target **t;                 /* per partner index: its targets outside that may
                                         * be named (target_named) */
    outside_count *count;               /* per partner index: every target outside counted */
    uint32_t *nt;
    uint32_t base;                      /* the batch gl and present are of, + 1 */
    beyond_wait *wait;                  /* by finding */
    uint32_t nwait, nscope;
    uint32_t *group;                    /* per partner index: its group of equal scopes */
    uint32_t ngroups;
    uint64_t *gl;                       /* by group: AP_KERNEL_LMAX words, its lanes in the
                                         * batch */
    uint64_t *gbeyond;                  /* by group: the classes beyond its rights */
    uint32_t *present, npresent;        /* the groups with lanes in the batch */
} beyond_state;

static void beyond_free(void *p)
{
    beyond_state *st = p;
    for (uint32_t i = 0; st->scope != NULL && i < st->nscope; i++) {
        ap_scope_free(st->scope[i]);
        free(st->t[i]);
    }
    for (uint32_t k = 0; k < st->nwait; k++) {
        free(st->wait[k].v);
        free(st->wait[k].r);
        if (st->wait[k].got != NULL)
            free(st->wait[k].got->v);
        free(st->wait[k].got);
    }
    free(st->scope);
    free(st->t);
    free(st->nt);
    free(st->count);
    free(st->wait);
    free(st->group);
    free(st->gl);
    free(st->gbeyond);
    free(st->present);
    free(st);
}

/* Each declared scope's group: equal scopes (one declaration is common) say once a node what
 * the node is to them. */
static int group_scopes(beyond_state *st)
{
    st->group = calloc((size_t)st->nscope + 1, sizeof *st->group);
    if (st->group == NULL
        || ap_query__scope_groups(st->scope, st->nscope, st->group, &st->ngroups) < 0)
        return AP_ENOMEM;
    st->gl = calloc(((size_t)st->ngroups + 1) * AP_KERNEL_LMAX, sizeof *st->gl);
    st->gbeyond = calloc((size_t)st->ngroups + 1, sizeof *st->gbeyond);
    st->present = malloc(((size_t)st->ngroups + 1) * sizeof *st->present);
    return st->gl != NULL && st->gbeyond != NULL && st->present != NULL ? AP_OK : AP_ENOMEM;
}

/* The batch's groups: the lanes of each, and the classes beyond its rights (a lane holding one
 * holds rights beyond the scope: ap_query__scope_outside_rights of its rights). */
static void set_batch(beyond_state *st, const ap_rule_ctx *c, const ap_kernel_batch *b)
{
    ap_rights voc = ap_vocab_all(ap_graph_vocab(c->g));
    for (uint32_t k = 0; k < st->npresent; k++)
        memset(st->gl + (size_t)st->present[k] * AP_KERNEL_LMAX, 0,
               AP_KERNEL_LMAX * sizeof *st->gl);
    st->npresent = 0;
    for (uint32_t lane = 0; lane < b->nb; lane++) {
        uint32_t i = b->base + lane, gr = st->group[i];
        const ap_scope *sc = st->scope[i];
        uint64_t *gl = st->gl + (size_t)gr * AP_KERNEL_LMAX;
        if (sc == NULL)
            continue;
        bool seen = false;
        for (unsigned j = 0; j < AP_KERNEL_LMAX && !seen; j++)
            seen = gl[j] != 0;
        if (!seen) {
            st->present[st->npresent++] = gr;
            st->gbeyond[gr] = 0;
            for (unsigned k = 0; sc->has_rights && k < b->K; k++)
                st->gbeyond[gr] |= (b->cmask[k] & ~sc->rights & voc) != 0 ? (uint64_t)1 << k : 0;
        }
        gl[lane / 64] |= (uint64_t)1 << (lane % 64);
    }
    st->base = b->base + 1;
}

static bool watch_target(const ap_rule_ctx *c, uint32_t v)
{
    ap_kind k = ap_findings__kind(c, v);
    return k == AP_KIND_RESOURCE || k == AP_KIND_WORKFLOW;
}

/* The rule's state, with every partner's scope read once; NULL after an error. */
static beyond_state *beyond_of(ap_rule_ctx *c)
{
    beyond_state *st = ap_findings__state(c, sizeof *st, beyond_free);
    if (st == NULL || st->ready)
        return st;
    st->ready = true;
    st->nscope = c->npartners;
    st->scope = calloc((size_t)c->npartners + 1, sizeof *st->scope);
    st->t = calloc((size_t)c->npartners + 1, sizeof *st->t);
    st->nt = calloc((size_t)c->npartners + 1, sizeof *st->nt);
    st->count = calloc((size_t)c->npartners + 1, sizeof *st->count);
    if (st->scope == NULL || st->t == NULL || st->nt == NULL || st->count == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++)
        c->rc = ap_scope_of(&st->scope[i], c->g, c->partners[i], c->policy, c->err);
    if (c->rc == AP_OK && group_scopes(st) < 0)
        c->rc = ap_error_nomem(c->err);
    return c->rc == AP_OK ? st : NULL;
}

/* Target x->v and the batch's partners that declare a scope (few: their lanes are iterated one
 * by one): each that holds it outside its scope keeps it. */
static void node_beyond(ap_rule_ctx *c, const ap_lanes_at *x)
{
    beyond_state *st = beyond_of(c);
    const ap_kernel_batch *b = x->b;
    if (st == NULL)
        return;
    if (st->base != b->base + 1)
        set_batch(st, c, b);
    unsigned L = b->L;
    int lv = level_of(c, x->v);
    uint64_t held[AP_KERNEL_LMAX] = { 0 };      /* the lanes holding v with some right */
    for (uint64_t k = x->cls; k != 0; k &= k - 1)
        for (unsigned j = 0; j < L; j++)
            held[j] |= x->w[(size_t)__builtin_ctzll(k) * L + j];
    for (uint32_t g = 0; g < st->npresent && c->rc == AP_OK; g++) {
        uint32_t gr = st->present[g];
        const uint64_t *gl = st->gl + (size_t)gr * AP_KERNEL_LMAX;
        uint64_t m[AP_KERNEL_LMAX], some = 0;
        for (unsigned j = 0; j < L; j++)
            some |= m[j] = held[j] & gl[j];
        if (some == 0)
            continue;
        /* what v is to the group's scope, once; which of its lanes hold rights beyond it */
        uint32_t first = b->base + (uint32_t)ap_findings__first_lane(b, m);
        unsigned node_why = ap_query__scope_outside_node(st->scope[first], c->g, x->v, c->at);
        uint64_t beyond[AP_KERNEL_LMAX] = { 0 };
        for (uint64_t k = x->cls & st->gbeyond[gr]; k != 0; k &= k - 1)
            for (unsigned j = 0; j < L; j++)
                beyond[j] |= x->w[(size_t)__builtin_ctzll(k) * L + j];
        for (unsigned j = 0; j < L && c->rc == AP_OK; j++)
            for (uint64_t o = node_why != 0 ? m[j] : m[j] & beyond[j]; o != 0; o &= o - 1) {
                unsigned lane = j * 64 + (unsigned)__builtin_ctzll(o);
                uint32_t i = b->base + lane;
                unsigned why = node_why | (beyond[j] >> (lane % 64) & 1 ? AP_SCOPE_RIGHTS : 0);
                for (unsigned rs = why; rs != 0; rs &= rs - 1)
                    st->count[i].n[__builtin_ctz(rs)][lv]++;
                if (!target_named(&st->count[i], why, lv))
                    continue;
                outside_target t = { x->v, ap_findings__lane_rights(x, lane), why };
                /* before the list doubles (ap_query__push), what may no longer be named goes */
                if (st->nt[i] >= 64 && (st->nt[i] & (st->nt[i] - 1)) == 0)
                    prune(c, st->t[i], &st->nt[i], &st->count[i]);
                if (ap_query__push(&st->t[i], &st->nt[i], sizeof t, &t) < 0) {
                    c->rc = ap_error_nomem(c->err);
                    return;
                }
            }
    }
}

/* bsearch order of a finding index (key) and a wait. */
static int wait_cmp(const void *key, const void *x)
{
    size_t i = *(const size_t *)key, w = ((const beyond_wait *)x)->finding;
    return i < w ? -1 : i > w;
}

/* The wait of finding f, or NULL. */
static beyond_wait *wait_of(beyond_state *st, const ap_rule_ctx *c, const ap_finding *f)
{
    size_t i = (size_t)(f - c->out->items);
    return st->nwait > 0 ? bsearch(&i, st->wait, st->nwait, sizeof *st->wait, wait_cmp) : NULL;
}

/* One of f's targets reached: at the last, they are ordered by the run's hops (the same run
 * for every one of them), the first SCOPE_LISTED named with their chains, and the message. */
static void say_beyond(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    beyond_state *st = ap_findings__state(c, sizeof *st, beyond_free);
    beyond_wait *w = st != NULL ? wait_of(st, c, f) : NULL;
    char list[4096] = "", chain[1024], rights[256];
    size_t used = 0;
    uint32_t k, listed;
    (void)e;
    (void)v;
    if (w == NULL || ++w->said < w->nreq)
        return;
    /* the named targets in order, each with what the partner holds there: those asked for
     * one by one and the threshold level's reached first, sorted */
    uint32_t ngot = w->got != NULL ? w->got->n : 0, norder = w->nabove + ngot;
    uint32_t *order = malloc(((size_t)norder + 1) * sizeof *order);
    if (order == NULL) {
        c->rc = ap_error_nomem(c->err);
        return;
    }
    memcpy(order, w->v, (size_t)w->nabove * sizeof *order);
    if (ngot > 0)
        memcpy(order + w->nabove, w->got->v, (size_t)ngot * sizeof *order);
    target_order ctx = { g, a };
    listed = first_targets(order, norder, &ctx);
    if (listed == 0) {                  /* none reached: cannot happen, they were reached */
        free(order);
        return;
    }
    ap_sensitivity worst = ap_findings__sensitivity(g, order[0]);
    const ap_scope *s = st->scope[w->scope];
    ap_rights held[SCOPE_LISTED];
    for (k = 0; k < listed; k++) {
        uint32_t t = 0;
        while (t + 1 < w->nv && w->v[t] != order[k])
            t++;
        held[k] = w->r[t];
    }
    ap_findings__path(c, f, a, order[0], AP_UNREACHED);
    for (k = 0; k < listed; k++)   /* the rest counted: "outside" */
        ap_findings__node(c, f, order[k]);
    for (k = 0; k < listed; k++) {
        chain_to(g, a, order[k], chain, sizeof chain);
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), held[k], ", ", false);
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                 "%s%s (%s, %s) through %s", k ? "; " : "",
                                 ap_graph_node(g, order[k])->id,
                                 ap_sensitivity_name(ap_findings__sensitivity(g, order[k])),
                                 rights, chain);
        if (used >= sizeof list)
            break;
    }
    if (w->n > SCOPE_LISTED && used < sizeof list)
        snprintf(list + used, sizeof list - used, "; and %u more", w->n - SCOPE_LISTED);
    ap_findings__fact(c, f, "targets", "%s", list);
    if (w->why == AP_SCOPE_WINDOW)
        ap_findings__fact(c, f, "window", "%s", s->until != AP_TIME_NONE && c->at >= s->until
                          ? "ended" : "not yet begun");
    /* high; critical when what lies outside is critical or restricted (unless the policy
     * changed the rule's severity) */
    if (f->severity == c->rule->severity && worst >= AP_SENS_RESTRICTED)
        f->severity = AP_SEV_CRITICAL;
    chain_to(g, a, order[0], chain, sizeof chain);
    ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), held[0], ", ", false);
    if (w->n > 1)
        snprintf(list, sizeof list, " (%u targets in all)", w->n);
    else
        list[0] = '\0';
    ap_findings__message(c, f, "Partner %s reaches %s (%s; %s) %s, through %s%s.",
                         ap_graph_node(g, f->partner)->id, ap_graph_node(g, order[0])->id,
                         ap_sensitivity_name(worst), rights, reason_text(w->why), chain, list);
    free(order);
}

/* Index order of targets. */
static int cmp_outside(const void *x, const void *y)
{
    uint32_t a = ((const outside_target *)x)->v, b = ((const outside_target *)y)->v;
    return a < b ? -1 : a > b;
}

/* One finding for partner index i and reason bit b, over the targets counted in count (of
 * them t[0..nt) holds, by index, every one that may be named): the chains of those it names
 * are asked for (beyond_wait), the finding written once the last is in (say_beyond). */
static void beyond(ap_rule_ctx *c, beyond_state *st, uint32_t i, unsigned b,
                   const uint32_t count[AP_SENS_COUNT + 1], const outside_target *t, uint32_t nt)
{
    uint32_t p = c->partners[i], n = 0, above = 0, m = 0, nv = 0;
    int level = -1;     /* the threshold level: the least whose targets are named, -1 all */
    for (int s = 0; s <= AP_SENS_COUNT; s++)
        n += count[s];
    for (int s = AP_SENS_COUNT; s >= 0 && level < 0; s--) {
        if (above + count[s] >= SCOPE_LISTED)
            level = s;
        else
            above += count[s];
    }
    /* the threshold level's first m in reach order, unless it is named whole */
    bool first_n = level >= 0 && count[level] > (m = SCOPE_LISTED - above);
    ap_finding *f = ap_findings__add(c, p, false, p);
    ap_findings__fact(c, f, "reason", "%s", ap_scope_reason_name((ap_scope_reason)(1u << b)));
    ap_findings__fact(c, f, "outside", "%u", n);
    if (f == NULL)
        return;
    beyond_wait w = { (size_t)(f - c->out->items), (ap_scope_reason)(1u << b), n, 0, 0, 0, 0,
                      malloc(((size_t)nt + 1) * sizeof *w.v),
                      malloc(((size_t)nt + 1) * sizeof *w.r),
                      first_n ? calloc(1, sizeof *w.got) : NULL, i };
    if (w.v == NULL || w.r == NULL || (first_n && w.got == NULL)) {
        free(w.v);
        free(w.r);
        free(w.got);
        c->rc = ap_error_nomem(c->err);
        return;
    }
    /* the candidates: those asked for one by one, then the threshold level's by index */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t k = 0; k < nt; k++) {
            int lv = level_of(c, t[k].v);
            if (!(t[k].why >> b & 1) || lv < level
                || (pass == 0) != (!first_n || lv > level))
                continue;
            w.v[nv] = t[k].v;
            w.r[nv++] = t[k].r;
            w.nabove += pass == 0;
        }
    w.nv = nv;
    w.nreq = w.nabove + first_n;
    if (ap_query__push(&st->wait, &st->nwait, sizeof w, &w) < 0) {
        free(w.v);
        free(w.r);
        free(w.got);
        c->rc = ap_error_nomem(c->err);
        return;
    }
    for (uint32_t k = 0; k < w.nabove; k++)
        ap_findings__chain_later(c, f, p, w.v[k], AP_UNREACHED, false, say_beyond);
    if (first_n)
        ap_findings__chain_first_n(c, f, p, false, w.v + w.nabove, nv - w.nabove, m, w.got,
                                   say_beyond);
}

/* After every batch: each partner with targets outside, one finding per reason. */
static int finish_beyond(ap_rule_ctx *c)
{
    beyond_state *st = beyond_of(c);
    if (st == NULL)
        return c->rc;
    for (uint32_t i = 0; i < st->nscope && c->rc == AP_OK; i++) {
        if (st->nt[i] == 0)
            continue;
        prune(c, st->t[i], &st->nt[i], &st->count[i]);
        qsort(st->t[i], st->nt[i], sizeof *st->t[i], cmp_outside);
        for (unsigned b = 0; b < AP_SCOPE_REASONS && c->rc == AP_OK; b++) {
            uint32_t any = 0;
            for (int lv = 0; lv <= AP_SENS_COUNT; lv++)
                any += st->count[i].n[b][lv];
            if (any > 0)
                beyond(c, st, i, b, st->count[i].n[b], st->t[i], st->nt[i]);
        }
        free(st->t[i]);                 /* the waits keep what they name */
        st->t[i] = NULL;
        st->nt[i] = 0;
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__beyond_scope = {
    "authority-beyond-scope", watch_target, false, node_beyond, NULL, finish_beyond
};

/* ---- scope-undeclared ---- */

/* One batch's partners: how many targets of confidential and above each reaches, and the lanes
 * reaching one of each sensitivity. */
typedef struct {
    uint64_t count[AP_LANE_COUNT_BITS * AP_KERNEL_LMAX];
    uint64_t has[AP_SENS_COUNT][AP_KERNEL_LMAX];
} undeclared_batch;

static bool watch_sensitive(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__sens(c, v) >= AP_SENS_CONFIDENTIAL;
}

static void node_undeclared(ap_rule_ctx *c, const ap_lanes_at *x)
{
    undeclared_batch *st = ap_findings__state(c, sizeof *st, NULL);
    unsigned L = x->b->L;
    if (st == NULL)
        return;
    for (unsigned j = 0; j < L; j++)
        st->has[ap_findings__sens(c, x->v)][j] |= x->w[x->b->K * L + j];
    ap_findings__count_lanes(st->count, L, x->w + (size_t)x->b->K * L);
}

static void say_undeclared(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t top,
                           uint32_t e)
{
    const ap_graph *g = c->g;
    const char *count = ap_findings__fact_of(f, "sensitive_targets");
    char chain[1024];
    (void)e;
    if (top == AP_UNREACHED)
        return;                 /* not found again: the finding stays without a message */
    ap_findings__path(c, f, a, top, AP_UNREACHED);
    ap_findings__node(c, f, top);
    /* through another partner, the evidence stops at it (its own findings carry on) */
    uint32_t via = ap_findings__stop_at_partner(c, f, top);
    ap_findings__chain(c, f, chain, sizeof chain);
    if (via != AP_UNREACHED) {
        size_t used = strlen(chain);
        snprintf(chain + used, sizeof chain - used, ", acting for partner %s",
                 ap_graph_node(g, via)->id);
    }
    ap_findings__message(c, f, "Partner %s declares no scope, yet reaches %s sensitive "
                         "targets, the most sensitive %s (%s) through %s.",
                         ap_graph_node(g, f->partner)->id, count != NULL ? count : "?",
                         ap_graph_node(g, top)->id,
                         ap_sensitivity_name(ap_findings__sensitivity(g, top)), chain);
}

/* Each partner of the batch reaching something sensitive: a finding when it declares no
 * scope, its chain to the most sensitive, the first in reach order. */
static void batch_undeclared(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    undeclared_batch *st = ap_findings__state(c, sizeof *st, NULL);
    if (st == NULL)
        return;
    for (unsigned j = 0; j < b->L && c->rc == AP_OK; j++) {
        uint64_t any = 0;
        for (int k = AP_SENS_CONFIDENTIAL; k < AP_SENS_COUNT; k++)
            any |= st->has[k][j];
        for (uint64_t m = any; m != 0 && c->rc == AP_OK; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            uint32_t p = ap_findings__lane_partner(c, b, lane);
            ap_scope *s = NULL;
            int top = AP_SENS_CONFIDENTIAL;
            if ((c->rc = ap_scope_of(&s, c->g, p, c->policy, c->err)) < 0 || s != NULL) {
                ap_scope_free(s);
                continue;
            }
            for (int k = AP_SENS_CONFIDENTIAL; k < AP_SENS_COUNT; k++)
                if (st->has[k][j] >> (lane % 64) & 1)
                    top = k;
            ap_finding *f = ap_findings__add(c, p, false, p);
            ap_findings__fact(c, f, "sensitive_targets", "%u",
                              ap_findings__lane_count(st->count, b->L, lane));
            ap_findings__chain_first(c, f, p, false, ap_findings__pick_level,
                                     (uint32_t)top + 1, say_undeclared);
        }
    }
    memset(st, 0, sizeof *st);
}

const ap_lanes_rule ap_lanes__scope_undeclared = {
    "scope-undeclared", watch_sensitive, false, node_undeclared, batch_undeclared, NULL
};
