/* query/scope_all.c: how many reached targets of each of many partners lie outside its declared
 * scope, from one lanes run of the kernel over those that declare one (ap_scope_count each). */
#define _GNU_SOURCE             /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "query_internal.h"

typedef struct {
    const ap_graph *g;
    int64_t at;
    const uint32_t *src;        /* the scoped partners, as the lanes run them */
    ap_scope **scope;           /* by scoped partner */
    uint32_t *group;            /* by scoped partner: its group of equal scopes */
    const ap_scope **gs;        /* by group: the scope */
    int64_t *count;             /* by scoped partner */
    uint8_t *is_src;            /* by node: 1 when it is a source of the batch */
    uint64_t *gl;               /* by group: AP_KERNEL_LMAX words, its lanes in the batch */
    uint32_t *present, npresent;    /* the groups with lanes in the batch */
    uint32_t base, nb;          /* 1 + the batch set up for, and its sources */
} scope_ctx;

/* qsort order of two scopes: any total order in which equal scopes are neighbours. */
static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

static int cmp_list(char *const *a, size_t na, bool ha, char *const *b, size_t nb, bool hb)
{
    if (ha != hb)
        return ha ? 1 : -1;
    if (na != nb)
        return na < nb ? -1 : 1;
    for (size_t i = 0; i < na; i++) {
        int c = strcmp(a[i], b[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

static int scope_cmp(const ap_scope *a, const ap_scope *b)
{
    int c;
    if ((c = cmp_i64(a->max_sensitivity, b->max_sensitivity)) != 0
        || (c = cmp_i64(a->has_rights, b->has_rights)) != 0
        || (a->has_rights && (c = a->rights < b->rights ? -1 : a->rights > b->rights) != 0)
        || (c = cmp_i64(a->from, b->from)) != 0 || (c = cmp_i64(a->until, b->until)) != 0
        || (c = cmp_list(a->resources, a->nresources, a->has_resources, b->resources,
                         b->nresources, b->has_resources)) != 0
        || (c = cmp_list(a->environments, a->nenvironments, a->has_environments,
                         b->environments, b->nenvironments, b->has_environments)) != 0)
        return c;
    return cmp_list(a->jurisdictions, a->njurisdictions, a->has_jurisdictions,
                    b->jurisdictions, b->njurisdictions, b->has_jurisdictions);
}

static int by_scope(const void *x, const void *y, void *arg)
{
    ap_scope *const *scope = arg;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    int c = scope_cmp(scope[a], scope[b]);
    return c != 0 ? c : (a > b) - (a < b);
}

int ap_query__scope_groups(ap_scope *const *scope, uint32_t n, uint32_t *group,
                           uint32_t *ngroups)
{
    uint32_t *order = malloc(((size_t)n + 1) * sizeof *order), ns = 0;
    if (order == NULL)
        return AP_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        if (scope[i] != NULL)
            order[ns++] = i;
    qsort_r(order, ns, sizeof *order, by_scope, (void *)scope);
    *ngroups = 0;
    for (uint32_t k = 0; k < ns; k++) {
        if (k == 0 || scope_cmp(scope[order[k - 1]], scope[order[k]]) != 0)
            (*ngroups)++;
        group[order[k]] = *ngroups - 1;
    }
    free(order);
    return AP_OK;
}

/* Each scoped partner's group: equal scopes are checked once a target, not once a lane. */
static int group_scopes(scope_ctx *c, uint32_t ns, uint32_t *ngroups)
{
    if (ap_query__scope_groups(c->scope, ns, c->group, ngroups) < 0)
        return AP_ENOMEM;
    for (uint32_t i = 0; i < ns; i++)
        c->gs[c->group[i]] = c->scope[i];
    return AP_OK;
}

/* The batch's groups and their lanes, and the nodes that are its sources. */
static void set_batch(scope_ctx *c, const ap_kernel_batch *b)
{
    for (uint32_t x = 0; x < c->npresent; x++)
        memset(c->gl + (size_t)c->present[x] * AP_KERNEL_LMAX, 0,
               AP_KERNEL_LMAX * sizeof *c->gl);
    for (uint32_t i = 0; c->base != 0 && i < c->nb; i++)  /* the previous batch's sources */
        c->is_src[c->src[c->base - 1 + i]] = 0;
    c->npresent = 0;
    for (uint32_t lane = 0; lane < b->nb; lane++) {
        uint32_t i = b->base + lane, d = c->group[i];
        uint64_t *w = c->gl + (size_t)d * AP_KERNEL_LMAX;
        bool seen = false;
        for (unsigned j = 0; j < AP_KERNEL_LMAX && !seen; j++)
            seen = w[j] != 0;
        if (!seen)
            c->present[c->npresent++] = d;
        w[lane / 64] |= (uint64_t)1 << (lane % 64);
        c->is_src[c->src[i]] = 1;
    }
    c->base = b->base + 1;
    c->nb = b->nb;
}

/* Target v: for each group with lanes holding it, those lanes whose partner holds it outside
 * the group's scope: all of them when v itself is, else those holding rights beyond it. */
static void visit(void *arg, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                  uint64_t cls)
{
    scope_ctx *c = arg;
    ap_kind kind = ap_graph_node(c->g, v)->kind;
    unsigned L = b->L;
    if (kind != AP_KIND_RESOURCE && kind != AP_KIND_WORKFLOW)
        return;
    if (c->base != b->base + 1)
        set_batch(c, b);
    uint64_t any[AP_KERNEL_LMAX];
    for (unsigned j = 0; j < L; j++)
        any[j] = w[(size_t)b->K * L + j];
    for (uint32_t lane = 0; c->is_src[v] && lane < b->nb; lane++)
        if (c->src[b->base + lane] == v)        /* a source's own node is not in its reach */
            any[lane / 64] &= ~((uint64_t)1 << (lane % 64));
    for (uint32_t x = 0; x < c->npresent; x++) {
        uint32_t d = c->present[x];
        const uint64_t *gl = c->gl + (size_t)d * AP_KERNEL_LMAX;
        uint64_t m[AP_KERNEL_LMAX], some = 0;
        for (unsigned j = 0; j < L; j++) {
            m[j] = any[j] & gl[j];
            some |= m[j];
        }
        if (some == 0)
            continue;
        const ap_scope *s = c->gs[d];
        if (ap_query__scope_outside_node(s, c->g, v, c->at) == 0) {
            uint64_t beyond[AP_KERNEL_LMAX] = { 0 };
            for (uint64_t k = cls; k != 0; k &= k - 1) {
                unsigned cl = (unsigned)__builtin_ctzll(k);
                if (ap_query__scope_outside_rights(s, c->g, b->cmask[cl]) != 0)
                    for (unsigned j = 0; j < L; j++)
                        beyond[j] |= w[cl * L + j];
            }
            for (unsigned j = 0; j < L; j++)
                m[j] &= beyond[j];
        }
        for (unsigned j = 0; j < L; j++)
            for (uint64_t k = m[j]; k != 0; k &= k - 1)
                c->count[b->base + j * 64 + (unsigned)__builtin_ctzll(k)]++;
    }
}

static int run_lanes(scope_ctx *c, uint32_t ns, ap_error *err)
{
    ap_kernel *k = NULL;
    ap_kernel_lanes *lr = NULL;
    int rc = ap_kernel__prepare(&k, c->g, err);
    if (rc == AP_OK)
        rc = ap_kernel__lanes_new(&lr, k, c->src, ns, 0, err);
    for (uint32_t b = 0; rc == AP_OK && b < ap_kernel__lanes_batches(lr); b++)
        rc = ap_kernel__lanes_run(lr, b, false, visit, c, err);
    ap_kernel__lanes_free(lr);
    ap_kernel__free(k);
    return rc;
}

/* Up to this many scoped partners, a single-source run each costs less than preparing the
 * kernel's view of the graph (tests set 0). */
unsigned ap_query__scope_runs_max = 8;

int ap_scope_count_all(int64_t *out, const ap_graph *g, const uint32_t *partners, uint32_t n,
                       const ap_policy *policy, ap_error *err)
{
    uint32_t nn = ap_graph_node_count(g), ns = 0, ngroups = 0;
    scope_ctx c = { .g = g, .at = ap_graph_at(g) };
    ap_scope **all = calloc((size_t)n + 1, sizeof *all);
    uint32_t *src = malloc(((size_t)n + 1) * sizeof *src);
    uint32_t *slot = malloc(((size_t)n + 1) * sizeof *slot);   /* by partner: its scoped index */
    int rc = AP_OK;
    c.scope = malloc(((size_t)n + 1) * sizeof *c.scope);
    if (all == NULL || src == NULL || slot == NULL || c.scope == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    for (uint32_t i = 0; i < n && rc == AP_OK; i++) {
        out[i] = -1;
        if ((rc = ap_scope_of(&all[i], g, partners[i], policy, err)) == AP_OK
            && all[i] != NULL) {
            slot[i] = ns;
            c.scope[ns] = all[i];
            src[ns++] = partners[i];
        }
    }
    if (rc < 0 || ns == 0)
        goto done;
    if (ns <= ap_query__scope_runs_max) {
        for (uint32_t i = 0; i < n && rc == AP_OK; i++)
            if (all[i] != NULL)
                rc = ap_query__scope_count_with(&out[i], g, partners[i], all[i], err);
        goto done;
    }
    c.src = src;
    c.group = malloc((size_t)ns * sizeof *c.group);
    c.gs = malloc((size_t)ns * sizeof *c.gs);
    c.count = calloc(ns, sizeof *c.count);
    c.is_src = calloc((size_t)nn + 1, sizeof *c.is_src);
    c.gl = calloc((size_t)ns * AP_KERNEL_LMAX, sizeof *c.gl);
    c.present = malloc((size_t)ns * sizeof *c.present);
    if (c.group == NULL || c.gs == NULL || c.count == NULL
        || c.is_src == NULL || c.gl == NULL || c.present == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    if ((rc = group_scopes(&c, ns, &ngroups)) < 0) {
        rc = ap_error_nomem(err);
        goto done;
    }
    if ((rc = run_lanes(&c, ns, err)) < 0)
        goto done;
    for (uint32_t i = 0; i < n; i++)
        if (all[i] != NULL)
            out[i] = c.count[slot[i]];
done:
    for (uint32_t i = 0; all != NULL && i < n; i++)
        ap_scope_free(all[i]);
    free(all);
    free(src);
    free(slot);
    free(c.scope);
    free(c.group);
    free(c.gs);
    free(c.count);
    free(c.is_src);
    free(c.gl);
    free(c.present);
    return rc;
}
