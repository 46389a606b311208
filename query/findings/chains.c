/* query/findings/chains.c: the chains the lanes rules show, made last: one single-source run per
 * partner that shows one, stopped once it reached every node its findings show. */
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

struct ap_chain_req {
    size_t finding;
    uint32_t partner, target, edge;
    bool blocked;
    ap_chain_say say;
};

void ap_findings__chain_later(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                              uint32_t e, bool blocked, ap_chain_say say)
{
    if (f == NULL || c->rc < 0)
        return;
    if (c->nreqs == c->reqcap) {
        size_t cap = c->reqcap ? c->reqcap * 2 : 256;
        struct ap_chain_req *r = realloc(c->reqs, cap * sizeof *r);
        if (r == NULL) {
            c->rc = ap_error_nomem(c->err);
            return;
        }
        c->reqs = r;
        c->reqcap = cap;
    }
    c->reqs[c->nreqs++] = (struct ap_chain_req){ (size_t)(f - c->out->items), p, v, e, blocked,
                                                 say };
}

static int req_cmp(const void *x, const void *y)
{
    const struct ap_chain_req *a = x, *b = y;
    if (a->blocked != b->blocked)
        return a->blocked ? 1 : -1;
    if (a->partner != b->partner)
        return a->partner < b->partner ? -1 : 1;
    return a->finding < b->finding ? -1 : a->finding > b->finding;
}

/* The targets one run must reach: a stamp per node, and how many are left. */
typedef struct {
    uint32_t *stamp, gen;
    size_t left;
} targets;

static bool all_reached(void *ctx, const ap_authority *a, uint32_t v)
{
    targets *t = ctx;
    (void)a;
    if (t->stamp[v] == t->gen) {
        t->stamp[v] = 0;
        t->left--;
    }
    return t->left == 0;
}

int ap_findings__chains(ap_rule_ctx *c)
{
    targets t = { calloc((size_t)ap_graph_node_count(c->g) + 1, sizeof *t.stamp), 0, 0 };
    int rc = AP_OK;
    if (t.stamp == NULL)
        return ap_error_nomem(c->err);
    qsort(c->reqs, c->nreqs, sizeof *c->reqs, req_cmp);
    for (size_t i = 0; i < c->nreqs && rc == AP_OK;) {
        size_t j = i;
        t.gen++;
        t.left = 0;
        for (; j < c->nreqs && c->reqs[j].partner == c->reqs[i].partner
               && c->reqs[j].blocked == c->reqs[i].blocked; j++)
            if (t.stamp[c->reqs[j].target] != t.gen && c->reqs[j].target != c->reqs[j].partner) {
                t.stamp[c->reqs[j].target] = t.gen;
                t.left++;
            }
        const ap_authority *a = ap_findings__authority_until_mode(c, c->reqs[i].partner,
                                                                  c->reqs[i].blocked,
                                                                  all_reached, &t);
        for (size_t k = i; k < j && a != NULL && c->rc == AP_OK; k++) {
            ap_finding *f = ap_findings__at(c, c->reqs[k].finding);
            if (f == NULL)
                break;
            c->rule = f->rule;
            c->reqs[k].say(c, f, a, c->reqs[k].target, c->reqs[k].edge);
        }
        rc = c->rc;
        if (rc == AP_OK)
            rc = ap_findings__freeze(c);
        i = j;
    }
    free(t.stamp);
    free(c->reqs);
    c->reqs = NULL;
    c->nreqs = c->reqcap = 0;
    return rc;
}
