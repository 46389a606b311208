/* query/findings/privilege.c: rules about partners holding more than was decided (OWASP NHI5):
 * beyond a read-only tier, undeclared rights, sensitive workflows, escalation, temporary
 * elevation that never ends. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

int ap_rule__read_only_exceeded(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights beyond = ap_vocab_all(ap_graph_vocab(g)) & ~((ap_rights)1 << AP_R_READ);
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        if (ap_tier_parse(ap_graph_node_str(g, p, "tier")) != AP_TIER_READ_ONLY)
            continue;
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            char chain[1024], rights[512];
            if (ap_findings__sensitivity(g, v) == AP_SENS_NONE || (a->rights[v] & beyond) == 0)
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "tier", "read_only");
            ap_findings__rights(c, f, "beyond_read", a->rights[v] & beyond);
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), a->rights[v] & beyond,
                             ", ", true);
            ap_findings__message(c, f, "Read-only partner %s can %s %s through %s.",
                                 ap_graph_node(g, p)->id, rights, ap_graph_node(g, v)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

/* One finding per edge that carries some partner's authority and that `pick` selects, about
 * every such partner: its chain comes from the partner nearest the edge (fewest hops to its
 * tail, then the first in id order), so a loop of partners gives one short chain, not one long
 * chain per member. Kept across batches: a nearer partner in a later batch gives the chain
 * again. */
typedef struct {
    size_t finding;
    uint32_t hops;              /* the chain's partner's hops to the edge's tail */
    ap_rights passes;           /* what the edge passes of that partner's rights there */
} edge_witness;

typedef struct {
    uint32_t *at;               /* per edge: its witness in list, or AP_UNREACHED */
    edge_witness *list;
    size_t n, cap;
} edge_witnesses;

static void free_witnesses(void *p)
{
    edge_witnesses *w = p;
    free(w->at);
    free(w->list);
    free(w);
}

static edge_witnesses *witnesses_of(ap_rule_ctx *c)
{
    uint32_t ne = ap_graph_edge_count(c->g);
    edge_witnesses *w = ap_findings__state(c, sizeof *w, free_witnesses);
    if (w == NULL || w->at != NULL)
        return w;
    if ((w->at = malloc(((size_t)ne + 1) * sizeof *w->at)) == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t e = 0; e < ne; e++)
        w->at[e] = AP_UNREACHED;
    return w;
}

/* The chain of f from a to e's tail, then e; what e passes of a's rights there. */
static void edge_chain(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t e,
                       edge_witness *x, uint32_t hops)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    ap_findings__node(c, f, ed->from);
    ap_findings__node(c, f, ed->to);
    ap_findings__path(c, f, a, ed->from, e);
    x->hops = hops;
    x->passes = ap_edge_transfer(ed, a->rights[ed->from]);
}

/* The batch's partners into the witnesses; NULL, or (last call) the witnesses. */
static edge_witnesses *per_edge(ap_rule_ctx *c, bool (*pick)(const ap_rule_ctx *, uint32_t))
{
    const ap_graph *g = c->g;
    edge_witnesses *w = witnesses_of(c);
    if (w == NULL)
        return NULL;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        for (uint32_t k = 0; k <= a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = k < a->nreach ? a->reach[k] : a->source;
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                if (!pick(c, e) || !ap_findings__carries(c, a, e))
                    continue;
                if (w->at[e] != AP_UNREACHED) {
                    edge_witness *x = &w->list[w->at[e]];
                    ap_finding *f = &c->out->items[x->finding];
                    ap_findings__partner(c, f, c->partners[i]);
                    if (a->hops[v] < x->hops) {     /* nearer: its chain instead */
                        ap_findings__reset(c, f);
                        edge_chain(c, f, a, e, x, a->hops[v]);
                    }
                    continue;
                }
                if (w->n == w->cap) {
                    size_t cap = w->cap * 2 + 16;
                    edge_witness *list = realloc(w->list, cap * sizeof *list);
                    if (list == NULL) {
                        c->rc = ap_error_nomem(c->err);
                        return NULL;
                    }
                    w->list = list;
                    w->cap = cap;
                }
                ap_finding *f = ap_findings__add(c, c->partners[i], true, e);
                if (f == NULL)
                    return NULL;
                w->list[w->n].finding = (size_t)(f - c->out->items);
                edge_chain(c, f, a, e, &w->list[w->n], a->hops[v]);
                w->at[e] = (uint32_t)w->n++;
            }
        }
    }
    return c->last && c->rc == AP_OK ? w : NULL;
}

/* "partner q0 brings" or "partners q0, q1 and 3 more bring", and the chain: "(through q0 > c0
 * > crm)" or, for several, "(for example through q1 > c0 > crm)", into who and how. */
static void who_and_how(ap_rule_ctx *c, const ap_finding *f, char *who, size_t wsize,
                        char *how, size_t hsize)
{
    char list[512], chain[1024];
    ap_findings__partner_list(c, f, list, sizeof list, 5);
    snprintf(who, wsize, "partner%s %s", f->npartners > 1 ? "s" : "", list);
    snprintf(how, hsize, "%sthrough %s", f->npartners > 1 ? "for example " : "",
             ap_findings__chain(c, f, chain, sizeof chain));
}

static bool undeclared_access(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return ed->kind == AP_EDGE_ACCESS && !ed->declared;
}

int ap_rule__undeclared_rights(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    edge_witnesses *w = per_edge(c, undeclared_access);
    (void)r;
    for (size_t k = 0; w != NULL && k < w->n && c->rc == AP_OK; k++) {
        ap_finding *f = &c->out->items[w->list[k].finding];
        const ap_edge *ed = ap_graph_edge(g, f->subject);
        char who[1024], how[1200];
        ap_findings__rights(c, f, "passes", w->list[k].passes);
        who_and_how(c, f, who, sizeof who, how, sizeof how);
        ap_findings__message(c, f, "Access edge %s declares no rights, so it passes every "
                             "right %s bring%s to %s (%s).", ed->id, who,
                             f->npartners > 1 ? "" : "s", ap_graph_node(g, ed->to)->id, how);
    }
    return c->rc;
}

/* Can a trigger w: a triggers edge into w that carries a's authority (first one, or NONE). */
static uint32_t trigger_edge(const ap_rule_ctx *c, const ap_authority *a, uint32_t w)
{
    for (uint32_t i = ap_graph_in_begin(c->g, w); i < ap_graph_in_end(c->g, w); i++) {
        uint32_t e = ap_graph_in_edge(c->g, i);
        if (ap_graph_edge(c->g, e)->kind == AP_EDGE_TRIGGERS && ap_findings__carries(c, a, e))
            return e;
    }
    return AP_UNREACHED;
}

static void add_word(char *buf, size_t size, const char *word)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", word);
}

int ap_rule__sensitive_workflow(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights acts = (ap_rights)1 << AP_R_EXECUTE | (ap_rights)1 << AP_R_APPROVE;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t w = a->reach[k];
            ap_sensitivity s = ap_findings__sensitivity(g, w);
            char how[64] = "", chain[1024];
            if (ap_graph_node(g, w)->kind != AP_KIND_WORKFLOW || s < AP_SENS_CONFIDENTIAL)
                continue;
            uint32_t te = trigger_edge(c, a, w);
            if (te == AP_UNREACHED && (a->rights[w] & acts) == 0)
                continue;
            if (te != AP_UNREACHED)
                add_word(how, sizeof how, "trigger");
            if (a->rights[w] >> AP_R_EXECUTE & 1)
                add_word(how, sizeof how, "execute");
            if (a->rights[w] >> AP_R_APPROVE & 1)
                add_word(how, sizeof how, "approve");
            ap_finding *f = ap_findings__add(c, p, false, w);
            ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(s));
            ap_findings__fact(c, f, "can", "%s", how);
            if (te != AP_UNREACHED)
                ap_findings__path(c, f, a, ap_graph_edge(g, te)->from, te);
            else
                ap_findings__path(c, f, a, w, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Partner %s can %s %s workflow %s through %s.",
                                 ap_graph_node(g, p)->id, how, ap_sensitivity_name(s),
                                 ap_graph_node(g, w)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

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
 * authority crosses one of them, what they bring to u and what the steps grant. Kept across
 * batches per point; the chain is the first partner's (in id order) over the first step any
 * partner crosses (in edge order). */
typedef struct {
    size_t finding;
    uint32_t first;             /* the step the chain ends with */
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
    s->at = malloc(((size_t)n + 1) * sizeof *s->at);
    s->crossed = calloc((size_t)ne + 1, 1);
    if (s->at == NULL || s->crossed == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t v = 0; v < n; v++)
        s->at[v] = AP_UNREACHED;
    return s;
}

/* Partner i (authority a) crosses escalating edge e out of u. */
static void cross(ap_rule_ctx *c, points *s, uint32_t i, const ap_authority *a, uint32_t u,
                  uint32_t e)
{
    ap_rights gain = ap_edge_transfer(ap_graph_edge(c->g, e), a->rights[u]);
    point *x;
    s->crossed[e] = 1;
    if (s->at[u] == AP_UNREACHED) {
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
        ap_finding *f = ap_findings__add(c, c->partners[i], false, u);
        if (f == NULL)
            return;
        ap_findings__path(c, f, a, u, e);
        x = &s->list[s->n];
        x->finding = (size_t)(f - c->out->items);
        x->first = e;
        x->brought = a->rights[u];
        x->gains = x->gain0 = gain;
        x->same_gain = true;
        s->at[u] = (uint32_t)s->n++;
        return;
    }
    x = &s->list[s->at[u]];
    ap_finding *f = &c->out->items[x->finding];
    ap_findings__partner(c, f, c->partners[i]);
    if (e < x->first) {                 /* an earlier step: its first partner's chain */
        ap_findings__reset(c, f);
        ap_findings__path(c, f, a, u, e);
        x->first = e;
    }
    x->brought |= a->rights[u];
    x->same_gain &= gain == x->gain0;
    x->gains |= gain;
}

/* The sentence of escalation point u, once every partner is known. */
static int escalation_point(ap_rule_ctx *c, const points *s, uint32_t u)
{
    const ap_graph *g = c->g;
    const point *x = &s->list[s->at[u]];
    ap_finding *f = &c->out->items[x->finding];
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
    return c->rc;
}

int ap_rule__escalation(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    points *s = points_of(c);
    (void)r;
    if (s == NULL)
        return c->rc;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        for (uint32_t k = 0; k <= a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = k < a->nreach ? a->reach[k] : a->source;
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++)
                if (ap_graph_edge(g, e)->escalates && ap_findings__carries(c, a, e))
                    cross(c, s, i, a, v, e);
        }
    }
    for (uint32_t u = 0; c->last && u < ap_graph_node_count(g) && c->rc == AP_OK; u++)
        if (s->at[u] != AP_UNREACHED)
            escalation_point(c, s, u);
    return c->rc;
}

static bool temporary(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->expires == AP_TIME_NONE
           && ap_findings__edge_flag(c, e, "temporary", false);
}

int ap_rule__temporary_no_expiry(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    edge_witnesses *w = per_edge(c, temporary);
    (void)r;
    for (size_t k = 0; w != NULL && k < w->n && c->rc == AP_OK; k++) {
        ap_finding *f = &c->out->items[w->list[k].finding];
        const ap_edge *ed = ap_graph_edge(g, f->subject);
        char who[1024], how[1200];
        ap_findings__fact(c, f, "temporary", "true");
        who_and_how(c, f, who, sizeof who, how, sizeof how);
        char whose[1100];
        snprintf(whose, sizeof whose, f->npartners > 1 ? "the authority of %s" : "%s's authority",
                 who);
        ap_findings__message(c, f, "Temporary %s edge %s carries %s to %s (%s) but has no "
                             "expiry.", ap_edge_kind_name(ed->kind), ed->id, whose,
                             ap_graph_node(g, ed->to)->id, how);
    }
    return c->rc;
}
