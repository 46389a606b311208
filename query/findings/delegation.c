/* query/findings/delegation.c: rules about partners acting through partners (OWASP NHI3):
 * delegation loops (strongly connected components, igraph), fourth parties reaching
 * sensitive resources, one partner inheriting another's authority. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <igraph.h>

#include "findings_internal.h"
#include "../query_internal.h"

static int ig_fail(ap_rule_ctx *c, igraph_error_t ie)
{
    c->rc = ap_error_set(c->err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    return c->rc;
}

/* Edges examined in all the searches for a cycle that carries, per loop: a loop whose
 * members' chains all stop (gates, masks) is then reported without one. */
#define LOOP_WORK (1u << 22)

/* A cycle of component comp from `from` back to it, shortest first: a breadth-first search
 * over live subcontractor_of edges between members. With carry, a step is taken only when it
 * passes something of what the chain so far carries to its tail (docs/design.md's witness:
 * a gate opened by the chain's own prefix), so the cycle replays from `from`; without, the
 * links alone. The edges, in order, go to queue[0..*len); false when none returns to from.
 * prev and held (node-indexed) are left as they were found: AP_UNREACHED and 0. */
static bool find_cycle(const ap_graph *g, const igraph_vector_int_t *memb, igraph_integer_t comp,
                       uint32_t from, bool carry, uint32_t *prev, ap_rights *held,
                       uint32_t *queue, uint32_t *len, uint64_t *work)
{
    uint32_t head = 0, tail = 0, last = AP_UNREACHED, closing = AP_UNREACHED;
    queue[tail++] = from;
    prev[from] = from;
    held[from] = AP_RIGHTS_ALL;
    while (head < tail && last == AP_UNREACHED) {
        uint32_t u = queue[head++];
        for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            ap_rights got;
            (*work)++;
            if (ed->kind != AP_EDGE_SUBCONTRACTOR_OF || !ed->live || ed->from == ed->to
                || VECTOR(*memb)[ed->to] != comp)
                continue;
            if ((got = carry ? ap_edge_transfer(ed, held[u]) : AP_RIGHTS_ALL) == 0)
                continue;
            if (ed->to == from) {
                last = u;
                closing = e;
                break;
            }
            if (prev[ed->to] == AP_UNREACHED) {
                prev[ed->to] = e;
                held[ed->to] = got;
                queue[tail++] = ed->to;
            }
        }
    }
    /* the chain back from last to from, turned around; queue's visited nodes reset first */
    for (uint32_t i = 0; i < tail; i++)
        held[queue[i]] = 0;
    uint32_t n = 0, *chain = queue + tail;      /* queue has room: tail + n <= its size */
    for (uint32_t v = last; last != AP_UNREACHED && v != from;
         v = ap_graph_edge(g, prev[v])->from)
        chain[n++] = prev[v];
    for (uint32_t i = 0; i < tail; i++)
        prev[queue[i]] = AP_UNREACHED;
    if (last == AP_UNREACHED)
        return false;
    for (uint32_t i = 0; i < n; i++)
        queue[i] = chain[n - 1 - i];
    queue[n++] = closing;
    *len = n;
    return true;
}

/* The loop of one strongly connected component of the subcontractor_of graph, reported from
 * its first member (start) with a cycle in order as its chain: from the first member in id
 * order that a cycle carries from (docs/design.md: every printed chain carries what it
 * claims). When no member's chain goes all the way round (gates and masks stop each), the
 * loop of links from start is named in the facts and message and no chain is shown. */
static int report_loop(ap_rule_ctx *c, const igraph_vector_int_t *memb, igraph_integer_t comp,
                       uint32_t start, uint32_t size, uint32_t *prev, uint32_t *queue,
                       ap_rights *held)
{
    const ap_graph *g = c->g;
    uint32_t n = 0, nodes = ap_graph_node_count(g), from = start;
    uint64_t work = 0;
    bool carried = false;
    for (uint32_t v = start; v < nodes && !carried && work < LOOP_WORK; v++)
        if (VECTOR(*memb)[v] == comp
            && (carried = find_cycle(g, memb, comp, v, true, prev, held, queue, &n, &work)))
            from = v;
    if (!carried && !find_cycle(g, memb, comp, start, false, prev, held, queue, &n, &work))
        return c->rc = ap_error_set(c->err, AP_EBUG, "no cycle in a strongly connected "
                                    "component of partners");
    ap_finding *f = ap_findings__add(c, start, false, start);
    char order[2048], who[512];
    size_t used = (size_t)snprintf(order, sizeof order, "%s", ap_graph_node(g, from)->id);
    for (uint32_t i = 0; i < n && f != NULL; i++) {
        uint32_t to = ap_graph_edge(g, queue[i])->to;
        if (used < sizeof order)
            used += (size_t)snprintf(order + used, sizeof order - used, " > %s",
                                     ap_graph_node(g, to)->id);
        ap_findings__partner(c, f, to);
        ap_findings__node(c, f, to);
    }
    if (f == NULL)
        return c->rc;
    if (carried) {
        if ((f->path = malloc((size_t)n * sizeof *f->path)) == NULL) {
            c->rc = ap_error_nomem(c->err);
            return c->rc;
        }
        memcpy(f->path, queue, (size_t)n * sizeof *f->path);
        f->npath = n;
    }
    ap_findings__fact(c, f, "loop", "%s", order);
    ap_findings__fact(c, f, "partners", "%u", size);
    /* what the chain shown proves, no more: from one member all the way round (another
     * member's chain may stop at a gate) */
    char round[640];
    snprintf(round, sizeof round, "%s's authority goes all the way round it",
             ap_graph_node(g, from)->id);
    const char *inherit = carried ? round
                                  : "each acts for the next, but no chain carries authority "
                                    "all the way round (gates or rights stop it)";
    if (size > n)
        ap_findings__message(c, f, "Partners act for one another in a loop of %u partners "
                             "(%s, and %u more in the same loop): %s.", size, order, size - n,
                             inherit);
    else
        ap_findings__message(c, f, "Partners %s act for one another in a loop (%s): %s.",
                             ap_findings__partner_list(c, f, who, sizeof who, 5), order,
                             inherit);
    return c->rc;
}

/* The loops are structural (the subcontractor_of graph's components): said once, after every
 * batch, with no partner's words; the cycle shown carries by construction (find_cycle). */
static int loop_finish(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), *prev = NULL, *queue = NULL;
    ap_rights *held = NULL;
    igraph_vector_int_t ev, memb, csize;
    igraph_t sg;
    igraph_integer_t ncomp = 0;
    igraph_error_t ie;
    bool *done = NULL;
    int rc = AP_OK, built = 0;
    if (igraph_vector_int_init(&ev, 0) != 0)
        return ap_error_nomem(c->err);
    igraph_vector_int_init(&memb, 0);
    igraph_vector_int_init(&csize, 0);
    /* the subcontracting graph itself: p -> q for a live subcontractor_of edge between
     * partners (p acts for q, so p inherits q's authority) */
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->kind != AP_EDGE_SUBCONTRACTOR_OF || !ed->live || ed->from == ed->to
            || ap_graph_node(g, ed->from)->kind != AP_KIND_PARTNER
            || ap_graph_node(g, ed->to)->kind != AP_KIND_PARTNER)
            continue;
        if (igraph_vector_int_push_back(&ev, ed->from) != 0
            || igraph_vector_int_push_back(&ev, ed->to) != 0) {
            rc = ap_error_nomem(c->err);
            goto cleanup;
        }
    }
    if ((ie = igraph_create(&sg, &ev, n, IGRAPH_DIRECTED)) != 0) {
        rc = ig_fail(c, ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_connected_components(&sg, &memb, &csize, &ncomp, IGRAPH_STRONG)) != 0) {
        rc = ig_fail(c, ie);
        goto cleanup;
    }
    done = calloc((size_t)ncomp + 1, sizeof *done);
    prev = malloc(((size_t)n + 1) * sizeof *prev);
    queue = malloc((2 * (size_t)n + 1) * sizeof *queue);     /* the search, then its cycle */
    held = calloc((size_t)n + 1, sizeof *held);
    if (done == NULL || prev == NULL || queue == NULL || held == NULL) {
        rc = ap_error_nomem(c->err);
        goto cleanup;
    }
    memset(prev, 0xff, ((size_t)n + 1) * sizeof *prev);
    /* one finding per loop, from its first partner in id order */
    for (uint32_t v = 0; v < n && rc == AP_OK; v++) {
        igraph_integer_t comp = VECTOR(memb)[v];
        if (done[comp] || VECTOR(csize)[comp] < 2)
            continue;
        done[comp] = true;
        rc = report_loop(c, &memb, comp, v, (uint32_t)VECTOR(csize)[comp], prev, queue, held);
    }
cleanup:
    free(held);
    free(done);
    free(prev);
    free(queue);
    if (built)
        igraph_destroy(&sg);
    igraph_vector_int_destroy(&ev);
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    return rc < 0 ? rc : c->rc;
}

/* comp[v]: the delegation loop (strongly connected component of two or more partners in the
 * subcontractor_of graph) v belongs to, or -1. *out owns n entries (free()). */
static int loops_of(ap_rule_ctx *c, int64_t **out)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g);
    igraph_vector_int_t ev, memb, csize;
    igraph_t sg;
    igraph_error_t ie;
    int64_t *comp = malloc(((size_t)n + 1) * sizeof *comp);
    *out = NULL;
    if (comp == NULL || igraph_vector_int_init(&ev, 0) != 0) {
        free(comp);
        return c->rc = ap_error_nomem(c->err);
    }
    igraph_vector_int_init(&memb, 0);
    igraph_vector_int_init(&csize, 0);
    ie = IGRAPH_SUCCESS;
    for (uint32_t e = 0; e < ap_graph_edge_count(g) && ie == IGRAPH_SUCCESS; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->kind == AP_EDGE_SUBCONTRACTOR_OF && ed->live && ed->from != ed->to
            && ap_graph_node(g, ed->from)->kind == AP_KIND_PARTNER
            && ap_graph_node(g, ed->to)->kind == AP_KIND_PARTNER
            && (ie = igraph_vector_int_push_back(&ev, ed->from)) == IGRAPH_SUCCESS)
            ie = igraph_vector_int_push_back(&ev, ed->to);
    }
    if (ie == IGRAPH_SUCCESS && (ie = igraph_create(&sg, &ev, n, IGRAPH_DIRECTED)) == 0) {
        ie = igraph_connected_components(&sg, &memb, &csize, NULL, IGRAPH_STRONG);
        igraph_destroy(&sg);
    }
    for (uint32_t v = 0; v < n && ie == IGRAPH_SUCCESS; v++)
        comp[v] = VECTOR(csize)[VECTOR(memb)[v]] >= 2 ? VECTOR(memb)[v] : -1;
    igraph_vector_int_destroy(&ev);
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    if (ie != IGRAPH_SUCCESS) {
        free(comp);
        return ig_fail(c, ie);
    }
    *out = comp;
    return AP_OK;
}

static void free_loops(void *p)
{
    free(*(int64_t **)p);
    free(p);
}

static bool watch_partner(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_PARTNER;
}

static bool watch_nothing(const ap_rule_ctx *c, uint32_t v)
{
    (void)c;
    (void)v;
    return false;
}

/* The chain of p to partner v with the others blocked: what it carries, and whether it is a
 * declared subcontract (subcontractor_of edges only). */
static void say_inherits(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                         uint32_t e)
{
    const ap_graph *g = c->g;
    char chain[1024];
    bool declared = true;
    (void)e;
    ap_findings__rights(c, f, "rights",
                        ap_findings__path_for(c, f, a, v, AP_RIGHTS_ALL) & a->rights[v]);
    for (size_t s = 0; s < f->npath; s++)
        declared &= ap_graph_edge(g, f->path[s])->kind == AP_EDGE_SUBCONTRACTOR_OF;
    ap_findings__fact(c, f, "declared_subcontract", declared ? "true" : "false");
    ap_findings__message(c, f, "Partner %s inherits partner %s's authority through %s (%s).",
                         ap_graph_node(g, f->partner)->id, ap_graph_node(g, v)->id,
                         ap_findings__chain(c, f, chain, sizeof chain),
                         declared ? "a declared subcontract" : "not a declared subcontract");
}

/* Partner x->v and the batch's partners holding it directly (every other partner blocked: no
 * third partner between them): one finding per pair, but for two members of one delegation
 * loop. The lanes are iterated one by one: each is a finding, but for the partner's own lane
 * and its loop's members. */
static void node_inherits(ap_rule_ctx *c, const ap_lanes_at *x)
{
    int64_t **state = ap_findings__state(c, sizeof *state, free_loops), *loop;
    uint32_t q = x->v;
    if (state == NULL || (*state == NULL && loops_of(c, state) < 0))
        return;
    loop = *state;
    for (unsigned j = 0; j < x->b->L && c->rc == AP_OK; j++)
        for (uint64_t m = x->direct[j]; m != 0 && c->rc == AP_OK; m &= m - 1) {
            uint32_t p = ap_findings__lane_partner(c, x->b, j * 64 + (unsigned)__builtin_ctzll(m));
            if (p == q || (loop[p] >= 0 && loop[p] == loop[q]))
                continue;           /* one delegation-loop finding covers the loop */
            ap_finding *f = ap_findings__add(c, p, false, q);
            ap_findings__chain_later(c, f, p, q, AP_UNREACHED, true, say_inherits);
        }
}

const ap_lanes_rule ap_lanes__delegation_loop = {
    "delegation-loop", watch_nothing, false, NULL, NULL, loop_finish
};
const ap_lanes_rule ap_lanes__inherits_partner = {
    "partner-inherits-partner", watch_partner, true, node_inherits, NULL, NULL
};

/* ---- fourth-party-sensitive ---- */

#define FOURTH_LEVELS (AP_SENS_COUNT - AP_SENS_CONFIDENTIAL)   /* confidential and above */

/* The most sensitive targets a partner's chain may show: the first this many the all-partners
 * run settles; the chain goes to the nearest of them. */
#define FOURTH_SHOWN 32

/* One batch's partners and the sensitive targets each reaches only through other partners
 * (in its authority, not in it with the others blocked); the sets the chains pick from, kept
 * until the chains are made. */
typedef struct {
    struct {
        uint64_t count[FOURTH_LEVELS][AP_LANE_COUNT_BITS * AP_KERNEL_LMAX];    /* per level */
        uint64_t has[FOURTH_LEVELS][AP_KERNEL_LMAX];    /* the lanes with one at that level */
        uint64_t full[AP_KERNEL_LMAX];                  /* the lanes with FOURTH_SHOWN shown */
        uint32_t shown[64 * AP_KERNEL_LMAX][FOURTH_SHOWN];  /* per lane: its most sensitive */
        unsigned char nshown[64 * AP_KERNEL_LMAX];
    } b;
    uint32_t **sets;
    uint32_t nsets;
} fourth_batch;

static void fourth_dispose(void *p)
{
    fourth_batch *st = p;
    for (uint32_t i = 0; i < st->nsets; i++)
        free(st->sets[i]);
    free(st->sets);
    free(st);
}

static bool at_level(const ap_rule_ctx *c, uint32_t v, uint32_t arg)
{
    return ap_findings__sens(c, v) == (ap_sensitivity)arg;
}

static bool watch_sensitive(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__sens(c, v) >= AP_SENS_CONFIDENTIAL;
}

/* "critical 1, restricted 12, confidential 340": the counts above internal, highest first. */
static const char *counts_text(const uint32_t *count, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int s = FOURTH_LEVELS - 1; s >= 0; s--)
        if (count[s] > 0 && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s %u", used ? ", " : "",
                                     ap_sensitivity_name((ap_sensitivity)(s
                                                                          + AP_SENS_CONFIDENTIAL)),
                                     count[s]);
    return buf;
}

/* The whole chain to the target shown, not cut at the partner acted for (the steps after it,
 * how f's partner uses that partner's access, are what the finding is about): what it
 * carries, and the first other partner on it. */
static void say_fourth(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    const char *total = ap_findings__fact_of(f, "sensitive_targets");
    const char *counts = ap_findings__fact_of(f, "by_sensitivity");
    char chain[2048], via_text[600] = "";
    uint32_t via = AP_UNREACHED;
    (void)e;
    if (v == AP_UNREACHED) {
        c->rc = ap_error_set(c->err, AP_EBUG, "partner '%s': its run reached none of the "
                             "targets its kernel words show", ap_graph_node(g, f->partner)->id);
        return;
    }
    ap_findings__node(c, f, v);
    ap_findings__rights(c, f, "rights",
                        ap_findings__path_for(c, f, a, v, AP_RIGHTS_ALL) & a->rights[v]);
    for (size_t k = 0; k + 1 < f->npath && via == AP_UNREACHED; k++) {
        uint32_t to = ap_graph_edge(g, f->path[k])->to;
        if (to != f->partner && ap_findings__kind(c, to) == AP_KIND_PARTNER)
            via = to;
    }
    if (via != AP_UNREACHED) {
        ap_findings__fact(c, f, "through_partner", "%s", ap_graph_node(g, via)->id);
        snprintf(via_text, sizeof via_text, ", acting for partner %s", ap_graph_node(g, via)->id);
    }
    ap_findings__message(c, f, "Partner %s reaches %s sensitive target%s only through other "
                         "partners (%s), the most sensitive %s %s %s through %s%s.",
                         ap_graph_node(g, f->partner)->id, total != NULL ? total : "?",
                         total != NULL && strcmp(total, "1") == 0 ? "" : "s",
                         counts != NULL ? counts : "", ap_sensitivity_name(ap_findings__sens(c, v)),
                         ap_kind_name(ap_findings__kind(c, v)), ap_graph_node(g, v)->id,
                         ap_findings__chain(c, f, chain, sizeof chain), via_text);
}

/* Sensitive target x->v: the lanes holding it but not directly count it at its level; a lane
 * whose most sensitive so far is below that level shows it alone, one at that level adds it to
 * those it may show (until FOURTH_SHOWN: those lanes are iterated one by one). */
static void node_fourth(ap_rule_ctx *c, const ap_lanes_at *x)
{
    fourth_batch *st = ap_findings__state(c, sizeof *st, fourth_dispose);
    unsigned L = x->b->L, s = (unsigned)(ap_findings__sens(c, x->v) - AP_SENS_CONFIDENTIAL);
    uint64_t through[AP_KERNEL_LMAX];
    if (st == NULL)
        return;
    for (unsigned j = 0; j < L; j++) {
        through[j] = x->w[x->b->K * L + j] & ~x->direct[j];
        uint64_t higher = 0;
        for (unsigned k = s + 1; k < FOURTH_LEVELS; k++)
            higher |= st->b.has[k][j];
        uint64_t fresh = through[j] & ~higher & ~st->b.has[s][j];
        uint64_t more = through[j] & ~higher & st->b.has[s][j] & ~st->b.full[j];
        st->b.full[j] &= ~fresh;
        for (uint64_t m = fresh | more; m != 0; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            unsigned char *n = &st->b.nshown[lane];
            if (fresh >> (lane % 64) & 1)
                *n = 0;
            st->b.shown[lane][(*n)++] = x->v;
            if (*n == FOURTH_SHOWN)
                st->b.full[j] |= (uint64_t)1 << (lane % 64);
        }
        st->b.has[s][j] |= through[j];
    }
    ap_findings__count_lanes(st->b.count[s], L, through);
}

/* One finding per partner of the batch that reaches a sensitive target only through others. */
static void batch_fourth(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    fourth_batch *st = ap_findings__state(c, sizeof *st, fourth_dispose);
    char counts[160];
    if (st == NULL)
        return;
    for (unsigned j = 0; j < b->L && c->rc == AP_OK; j++) {
        uint64_t any = 0;
        for (unsigned k = 0; k < FOURTH_LEVELS; k++)
            any |= st->b.has[k][j];
        for (uint64_t m = any; m != 0 && c->rc == AP_OK; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            uint32_t p = ap_findings__lane_partner(c, b, lane), count[FOURTH_LEVELS], total = 0;
            int top = 0;
            for (unsigned k = 0; k < FOURTH_LEVELS; k++) {
                count[k] = ap_findings__lane_count(st->b.count[k], b->L, lane);
                total += count[k];
                if (count[k] > 0)
                    top = (int)k;
            }
            ap_finding *f = ap_findings__add(c, p, false, p);
            ap_findings__fact(c, f, "sensitivity", "%s",
                              ap_sensitivity_name((ap_sensitivity)(top + AP_SENS_CONFIDENTIAL)));
            ap_findings__fact(c, f, "sensitive_targets", "%u", total);
            ap_findings__fact(c, f, "by_sensitivity", "%s", counts_text(count, counts,
                                                                        sizeof counts));
            if (f == NULL)
                continue;
            uint32_t n = st->b.nshown[lane], *set = malloc(n * sizeof *set);
            if (set == NULL || ap_query__push(&st->sets, &st->nsets, sizeof set, &set) < 0) {
                free(set);
                c->rc = ap_error_nomem(c->err);
                break;
            }
            memcpy(set, st->b.shown[lane], n * sizeof *set);
            qsort(set, n, sizeof *set, ap_query__u32_cmp);
            ap_findings__chain_first_of(c, f, p, false, at_level,
                                        (uint32_t)(top + AP_SENS_CONFIDENTIAL), set, n,
                                        say_fourth);
        }
    }
    memset(&st->b, 0, sizeof st->b);
}

const ap_lanes_rule ap_lanes__fourth_party = {
    "fourth-party-sensitive", watch_sensitive, true, node_fourth, batch_fourth, NULL
};
