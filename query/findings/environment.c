/* query/findings/environment.c: environment isolation (OWASP NHI8): one credential whose own
 * authority reaches both production and non-production nodes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* 1 production, 0 another environment, -1 none given. */
static int is_production(const ap_rule_ctx *c, uint32_t v)
{
    char buf[64];       /* longer than any production name: compared whole or not equal */
    const char *env = ap_findings__attr_str(c, ap_graph_node(c->g, v)->attrs, "environment",
                                            buf, sizeof buf);
    static const char *const prod[] = { "prod", "production", "prd", "live" };
    char low[32];
    size_t i = 0;
    if (env == NULL || env[0] == '\0')
        return -1;
    for (; env[i] != '\0' && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)env[i]);
    low[i] = '\0';
    for (size_t k = 0; k < sizeof prod / sizeof prod[0]; k++)
        if (strcmp(low, prod[k]) == 0)
            return 1;
    return 0;
}

/* Across batches, per credential: the first production and other node its own authority
 * reaches (AP_UNREACHED: none), once it was looked at (seen); per node, is_production + 2
 * once asked (0: not yet): the credentials' runs hear of the same nodes again and again. */
typedef struct {
    uint32_t *prod, *other;
    unsigned char *seen, *env;
    uint64_t *both;             /* a bit per node with paths to a production node and to
                                 * another environment's, whatever they carry: no other node's
                                 * authority can reach both, so no other is run */
    uint64_t *upto;             /* a bit per node with a path to a node of some environment:
                                 * the only nodes a run delivers to (the hops of those nodes,
                                 * all the run asks, are decided by their ancestors alone) */
    struct ap_out_view *view;   /* c->view's slots into them, or NULL */
} reaches;

static void free_reaches(void *p)
{
    reaches *s = p;
    free(s->prod);
    free(s->other);
    free(s->seen);
    free(s->env);
    free(s->both);
    free(s->upto);
    ap_query__out_view_free(s->view);
    free(s);
}

/* s->both: the nodes that reach a production node and the nodes that reach another
 * environment's (ap_graph_ancestors over every edge), intersected. */
static int both_bits(ap_rule_ctx *c, reaches *s)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), *list[2] = { NULL, NULL }, nlist[2] = { 0, 0 };
    uint64_t *up[2] = { NULL, NULL };
    int rc = AP_OK;
    for (uint32_t v = 0; v < n && rc == AP_OK; v++) {
        if (s->env[v] == 0)
            s->env[v] = (unsigned char)(is_production(c, v) + 2);
        int env = s->env[v] - 2;
        if (env >= 0 && ap_query__push(&list[env], &nlist[env], sizeof v, &v) < 0)
            rc = AP_ENOMEM;
    }
    for (int k = 0; k < 2 && rc == AP_OK; k++)
        if (nlist[k] > 0 && ap_graph_ancestors(&up[k], g, list[k], nlist[k], NULL) < 0)
            rc = AP_ENOMEM;
    s->both = calloc((size_t)n / 64 + 1, sizeof *s->both);
    s->upto = calloc((size_t)n / 64 + 1, sizeof *s->upto);
    if (rc == AP_OK && (s->both == NULL || s->upto == NULL))
        rc = AP_ENOMEM;
    for (size_t w = 0; rc == AP_OK && up[0] != NULL && up[1] != NULL && w < n / 64 + 1; w++) {
        s->both[w] = up[0][w] & up[1][w];
        s->upto[w] = up[0][w] | up[1][w];
    }
    if (rc == AP_OK && c->view != NULL && up[0] != NULL && up[1] != NULL
        && ap_query__out_view_only(&s->view, c->view, s->upto, c->err) < 0)
        rc = AP_ENOMEM;
    free(list[0]);
    free(list[1]);
    free(up[0]);
    free(up[1]);
    return rc == AP_OK ? AP_OK : (c->rc = ap_error_nomem(c->err));
}

/* The first production and other node of a reach in its order (hops, then id), told of each
 * round before it delivers (ap_findings__authority_probe): enough once both are known, as
 * nothing later comes before them; the round each was found in kept, as the nodes are not
 * reached yet. */
typedef struct {
    const unsigned char *env;
    uint32_t prod, other, prod_round, other_round;
} probed_envs;

static bool both_probed(void *ctx, uint32_t v, uint32_t round)
{
    probed_envs *f = ctx;
    int env = f->env[v] - 2;
    if (env == 1 && (f->prod == AP_UNREACHED || (f->prod_round == round && v < f->prod))) {
        f->prod = v;
        f->prod_round = round;
    } else if (env == 0
               && (f->other == AP_UNREACHED || (f->other_round == round && v < f->other))) {
        f->other = v;
        f->other_round = round;
    }
    return f->prod != AP_UNREACHED && f->other != AP_UNREACHED;
}

/* What credential v's own authority reaches: computed once, whichever partners hold it, and
 * only as far as the rounds that find both (the last of them told before it delivers: it is
 * not made). */
static int credential_reaches(ap_rule_ctx *c, reaches *s, uint32_t v)
{
    probed_envs f = { s->env, AP_UNREACHED, AP_UNREACHED, 0, 0 };
    if (s->seen[v])
        return AP_OK;
    if (s->both == NULL && both_bits(c, s) < 0)
        return c->rc;
    if (!(s->both[v >> 6] >> (v & 63) & 1)) {   /* the run would find one at most */
        s->prod[v] = s->other[v] = AP_UNREACHED;
        s->seen[v] = 1;
        return AP_OK;
    }
    if (!ap_findings__authority_probe(c, v, s->upto, s->view, both_probed, &f))
        return c->rc;
    s->prod[v] = f.prod;
    s->other[v] = f.other;
    s->seen[v] = 1;
    return AP_OK;
}

static void say_crossing(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const reaches *s = ap_findings__state(c, sizeof *s, free_reaches);
    uint32_t v = f->subject;
    char held[1800];
    if (s == NULL)
        return;
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "Credential %s, held by %s, reaches production (%s) and %s "
                         "(%s).", ap_graph_node(g, v)->id, held,
                         ap_graph_node(g, s->prod[v])->id,
                         ap_graph_node_str(g, s->other[v], "environment"),
                         ap_graph_node(g, s->other[v])->id);
}

static bool watch_credential(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_CREDENTIAL;
}

static void chain_crossing(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                           uint32_t e)
{
    const reaches *s = ap_findings__state(c, sizeof *s, free_reaches);
    ap_findings__path(c, f, a, v, e);
    if (s == NULL)
        return;
    ap_findings__node(c, f, s->prod[v]);
    ap_findings__node(c, f, s->other[v]);
    say_crossing(c, f);
}

/* Credential x->v and the batch's partners that own it: the first time some partner owns it,
 * what it reaches itself (one single-source run per owned credential, as far as the rounds
 * that find both environments); both, one finding about every owner, its chain from the first
 * in id order. */
static void node_crossing(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    size_t n = (size_t)ap_graph_node_count(g) + 1;
    uint32_t v = x->v;
    uint64_t own[AP_KERNEL_LMAX];
    reaches *s = ap_findings__state(c, sizeof *s, free_reaches);
    if (s == NULL)
        return;
    if (s->seen == NULL) {
        s->prod = malloc(n * sizeof *s->prod);
        s->other = malloc(n * sizeof *s->other);
        s->seen = calloc(n, 1);
        s->env = calloc(n, 1);
        if (s->prod == NULL || s->other == NULL || s->seen == NULL || s->env == NULL) {
            free(s->seen);
            free(s->env);
            s->seen = s->env = NULL;
            c->rc = ap_error_nomem(c->err);
            return;
        }
    }
    if (s->seen[v] && (s->prod[v] == AP_UNREACHED || s->other[v] == AP_UNREACHED))
        return;
    ap_findings__owner_lanes(c, x, own);
    if (ap_findings__first_lane(x->b, own) < 0 || credential_reaches(c, s, v) < 0)
        return;
    uint32_t prod = s->prod[v], other = s->other[v];
    if (prod == AP_UNREACHED || other == AP_UNREACHED)
        return;
    ap_finding *f = ap_findings__subject_lanes(c, x->b, own, false, v);
    if (f == NULL)
        return;                         /* another partner's finding: these joined it */
    ap_findings__fact(c, f, "production", "%s", ap_graph_node(g, prod)->id);
    ap_findings__fact(c, f, "non_production", "%s (%s)", ap_graph_node(g, other)->id,
                      ap_graph_node_str(g, other, "environment"));
    ap_findings__chain_later(c, f, f->partner, v, AP_UNREACHED, true, chain_crossing);
}

const ap_lanes_rule ap_lanes__environment_crossing = {
    "environment-crossing", watch_credential, true, node_crossing, NULL, NULL
};
