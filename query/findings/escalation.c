/* query/findings/escalation.c: escalation-runs-as (OWASP NHI5): partners whose authority crosses
 * an escalating edge (runs_as, admin_of), one finding per escalation point, on the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

static bool any_lane(const ap_kernel_batch *b, const uint64_t *lanes)
{
    uint64_t some = 0;
    for (unsigned j = 0; j < b->L; j++)
        some |= lanes[j];
    return some != 0;
}

/* ---- escalation-runs-as ---- */

/* What one escalating step does, in words: "payroll-run running as svc-payroll-run", "aws:iam:*'s
 * admin_of over admin-group", "the escalating can_assume step to x". */
static void step_text(char *buf, size_t size, const ap_graph *g, const ap_edge *ed)
{
    const char *from = ap_graph_node(g, ed->from)->id, *to = ap_graph_node(g, ed->to)->id;
    if (ed->kind == AP_EDGE_RUNS_AS)
        snprintf(buf, size, "%s running as %s", from, to);
    else if (ed->kind == AP_EDGE_ADMIN_OF)
        snprintf(buf, size, "%s's admin_of over %s", from, to);
    else
        snprintf(buf, size, "the escalating %s step to %s", ap_edge_kind_name(ed->kind), to);
}

/* One finding per escalation point u (the node escalating edges leave): every partner whose
 * authority crosses one of them, what they bring to u and what the steps grant (an escalating
 * step grants its edge's rights to whoever crosses it). The chain is over the first step any
 * partner crosses (in edge order), from the first partner in id order that crosses it. */
typedef struct {
    size_t finding;
    uint32_t u;
    uint32_t first, partner;    /* the step the chain ends with, and whose chain */
    ap_rights brought, gains, gain0;
    bool same_gain;
} point;

typedef struct {
    uint32_t *at;               /* per node: its point in list, or AP_UNREACHED */
    unsigned char *crossed;     /* per edge: some partner's authority crosses it */
    point *list;
    size_t n, cap;
} points;

static void free_points(void *p)
{
    points *s = p;
    free(s->at);
    free(s->crossed);
    free(s->list);
    free(s);
}

static points *points_of(ap_rule_ctx *c)
{
    uint32_t n = ap_graph_node_count(c->g), ne = ap_graph_edge_count(c->g);
    points *s = ap_findings__state(c, sizeof *s, free_points);
    if (s == NULL || s->at != NULL)
        return s;
    s->crossed = calloc((size_t)ne + 1, 1);
    s->at = malloc(((size_t)n + 1) * sizeof *s->at);
    if (s->at == NULL || s->crossed == NULL) {
        free(s->at);
        s->at = NULL;
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t v = 0; v < n; v++)
        s->at[v] = AP_UNREACHED;
    return s;
}

static bool escalating(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->escalates;
}

static bool watch_escalation(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__has_out(c, v, escalating);
}

/* At escalation point x->v: the batch's lanes crossing each of its escalating edges. */
static void node_escalation(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    const ap_kernel_batch *b = x->b;
    points *s = points_of(c);
    uint64_t on[AP_KERNEL_LMAX], all[AP_KERNEL_LMAX] = { 0 };
    uint32_t first = AP_UNREACHED, partner = AP_UNREACHED;
    ap_rights gains = 0, gain0 = 0;
    bool same_gain = true;
    if (s == NULL)
        return;
    for (uint32_t e = ap_graph_out_begin(g, x->v); e < ap_graph_out_end(g, x->v); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (!ed->escalates)
            continue;
        ap_findings__edge_lanes(c, x, e, on);
        if (!any_lane(b, on))
            continue;
        s->crossed[e] = 1;
        for (unsigned j = 0; j < b->L; j++)
            all[j] |= on[j];
        if (first == AP_UNREACHED) {    /* out-edges come in edge order */
            first = e;
            partner = ap_findings__lane_partner(c, b, (unsigned)ap_findings__first_lane(b, on));
            gain0 = ed->rights;
        }
        same_gain &= ed->rights == gain0;
        gains |= ed->rights;
    }
    if (first == AP_UNREACHED)
        return;
    ap_finding *f = ap_findings__subject_lanes(c, b, all, false, x->v);
    if (f != NULL) {
        if (s->n == s->cap) {
            size_t cap = s->cap * 2 + 16;
            point *list = realloc(s->list, cap * sizeof *list);
            if (list == NULL) {
                c->rc = ap_error_nomem(c->err);
                return;
            }
            s->list = list;
            s->cap = cap;
        }
        s->list[s->n] = (point){ (size_t)(f - c->out->items), x->v, first, partner, 0, gains,
                                 gain0, same_gain };
        s->at[x->v] = (uint32_t)s->n++;
    }
    if (s->at[x->v] == AP_UNREACHED)
        return;                         /* out of memory */
    point *pt = &s->list[s->at[x->v]];
    if (f == NULL) {                    /* a later batch joined the point's finding */
        pt->same_gain &= same_gain && gain0 == pt->gain0;
        pt->gains |= gains;
        if (first < pt->first) {
            pt->first = first;
            pt->partner = partner;
        }
    }
    for (uint64_t m = x->cls; m != 0; m &= m - 1) {     /* what the crossing lanes bring */
        unsigned cl = (unsigned)__builtin_ctzll(m);
        for (unsigned j = 0; j < b->L; j++)
            if (x->w[cl * b->L + j] & all[j]) {
                pt->brought |= b->cmask[cl];
                break;
            }
    }
}

/* The sentence of escalation point v (f's), once every partner is known; its chain over e. */
static void say_escalation(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t u,
                           uint32_t first)
{
    const ap_graph *g = c->g;
    points *s = points_of(c);
    ap_findings__path(c, f, a, u, first);
    if (s == NULL || s->at[u] == AP_UNREACHED)
        return;
    const point *x = &s->list[s->at[u]];
    ap_rights brought = x->brought, gains = x->gains;
    uint32_t nsteps = 0, kinds = 0;
    bool same_gain = x->same_gain;
    char who[512], step[2048], gtext[512], btext[512], chain[2048], targets[1024] = "";
    for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        size_t used = strlen(targets);
        if (!ed->escalates || !s->crossed[e])
            continue;
        ap_findings__node(c, f, ed->to);
        if (nsteps < 5)
            snprintf(targets + used, sizeof targets - used, "%s%s", nsteps ? ", " : "",
                     ap_graph_node(g, ed->to)->id);
        nsteps++;
        kinds |= 1u << ed->kind;
    }
    if (nsteps > 5) {
        size_t used = strlen(targets);
        snprintf(targets + used, sizeof targets - used, " and %u more", nsteps - 5);
    }
    ap_rights_format(btext, sizeof btext, ap_graph_vocab(g), brought, ", ", true);
    if (strcmp(btext, "all") == 0)
        snprintf(btext, sizeof btext, "all rights");
    ap_rights_format(gtext, sizeof gtext, ap_graph_vocab(g), gains, ", ", true);
    if (strcmp(gtext, "all") == 0)
        snprintf(gtext, sizeof gtext, "all rights");
    if (f->npartners > 1)
        ap_findings__fact(c, f, "partners", "%s",
                          ap_findings__partner_list(c, f, who, sizeof who, SIZE_MAX));
    ap_findings__rights(c, f, "brought", brought);
    ap_findings__rights(c, f, "gains", gains);
    ap_findings__fact(c, f, "steps", "%u", nsteps);
    ap_findings__fact(c, f, "to", "%s", targets);
    if (nsteps == 1) {
        step_text(step, sizeof step, g, ap_graph_edge(g, x->first));
    } else {
        const char *kind = kinds == 1u << AP_EDGE_ADMIN_OF ? "admin_of steps over"
                         : kinds == 1u << AP_EDGE_RUNS_AS ? "runs_as steps to"
                         : "escalating steps to";
        snprintf(step, sizeof step, "%u %s %s", nsteps, kind, targets);
    }
    ap_findings__partner_list(c, f, who, sizeof who, 5);
    ap_findings__message(c, f, "Partner%s %s reach%s %s with %s and, through %s, gain%s %s%s "
                         "(%s%s).", f->npartners > 1 ? "s" : "", who,
                         f->npartners > 1 ? "" : "es", ap_graph_node(g, u)->id, btext, step,
                         f->npartners > 1 ? "" : "s", gtext,
                         nsteps > 1 ? (same_gain ? " on each" : " in all") : "",
                         f->npartners > 1 ? "for example " : "",
                         ap_findings__chain(c, f, chain, sizeof chain));
}

/* Every point's chain, once its first step and that step's first partner are known. */
static int finish_escalation(ap_rule_ctx *c)
{
    points *s = points_of(c);
    for (size_t k = 0; s != NULL && k < s->n && c->rc == AP_OK; k++) {
        ap_finding *f = ap_findings__at(c, s->list[k].finding);
        ap_findings__chain_later(c, f, s->list[k].partner, s->list[k].u, s->list[k].first,
                                 false, say_escalation);
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__escalation = {
    "escalation-runs-as", watch_escalation, false, node_escalation, NULL, finish_escalation
};
