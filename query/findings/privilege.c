/* query/findings/privilege.c: rules about partners holding more than was decided (OWASP NHI5):
 * beyond a read-only tier, undeclared rights, sensitive workflows, escalation, temporary
 * elevation that never ends. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

/* One finding per read-only partner: how many resources and workflows it can do more than
 * read on, by sensitivity, and the chain to the most sensitive (the first in reach order: hops,
 * then id); a read-only partner reaching 80,000 writable nodes is one root cause, not 80,000. */
int ap_rule__read_only_exceeded(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights beyond = ap_vocab_all(ap_graph_vocab(g)) & ~((ap_rights)1 << AP_R_READ);
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i], worst = AP_UNREACHED, total = 0;
        uint32_t count[AP_SENS_COUNT] = { 0 };
        ap_rights more = 0;
        if (ap_tier_parse(ap_graph_node_str(g, p, "tier")) != AP_TIER_READ_ONLY)
            continue;
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            ap_sensitivity s = ap_findings__sens(c, v);
            if (s == AP_SENS_NONE || (a->rights[v] & beyond) == 0)
                continue;
            count[s]++;
            total++;
            more |= a->rights[v] & beyond;
            if (worst == AP_UNREACHED || s > ap_findings__sens(c, worst))
                worst = v;              /* on a tie the earlier in reach order stays */
        }
        if (worst == AP_UNREACHED)
            continue;
        char chain[1024], rights[512], counts[160] = "";
        size_t used = 0;
        for (int s = AP_SENS_COUNT - 1; s >= 0; s--)
            if (count[s] > 0)
                used += (size_t)snprintf(counts + used, sizeof counts - used, "%s%s %u",
                                         used ? ", " : "",
                                         ap_sensitivity_name((ap_sensitivity)s), count[s]);
        ap_finding *f = ap_findings__add(c, p, false, p);
        ap_findings__node(c, f, worst);
        ap_findings__fact(c, f, "tier", "read_only");
        ap_findings__fact(c, f, "targets", "%u", total);
        ap_findings__fact(c, f, "by_sensitivity", "%s", counts);
        ap_findings__rights(c, f, "beyond_read", more);
        ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, worst)->id);
        ap_findings__path(c, f, a, worst, AP_UNREACHED);
        if (f == NULL)
            return c->rc;
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), a->rights[worst] & beyond,
                         ", ", true);
        ap_findings__message(c, f, "Read-only partner %s can do more than read on %u %s "
                             "(%s): it can %s %s %s through %s.", ap_graph_node(g, p)->id,
                             total, total == 1 ? "resource or workflow"
                                               : "resources and workflows", counts, rights,
                             ap_sensitivity_name(ap_findings__sens(c, worst)),
                             ap_graph_node(g, worst)->id,
                             ap_findings__chain(c, f, chain, sizeof chain));
    }
    return c->rc;
}

static ap_rights undeclared_access(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return ed->kind == AP_EDGE_ACCESS && !ed->declared ? AP_RIGHTS_ALL : 0;
}

int ap_rule__undeclared_rights(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    ap_edge_witnesses *w = ap_findings__per_edge(c, undeclared_access);
    (void)r;
    for (size_t k = 0; w != NULL && k < w->n && c->rc == AP_OK; k++) {
        ap_finding *f = ap_findings__at(c, w->list[k].finding);
        if (f == NULL)
            break;
        const ap_edge *ed = ap_graph_edge(g, f->subject);
        char who[1024], how[1200];
        ap_findings__rights(c, f, "passes", w->list[k].passes);
        ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
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

/* What partners can do to a sensitive workflow, as bits: trigger, execute, approve. */
enum { CAN_TRIGGER = 1, CAN_EXECUTE = 2, CAN_APPROVE = 4 };

typedef struct {
    size_t *finding;            /* per node: its finding, or SIZE_MAX */
    unsigned char *can;         /* per node: what its partners can do, CAN_* */
} workflow_state;

static void free_workflows(void *p)
{
    workflow_state *s = p;
    free(s->finding);
    free(s->can);
    free(s);
}

static workflow_state *workflows_of(ap_rule_ctx *c)
{
    size_t n = (size_t)ap_graph_node_count(c->g) + 1;
    workflow_state *s = ap_findings__state(c, sizeof *s, free_workflows);
    if (s == NULL || s->finding != NULL)
        return s;
    s->finding = malloc(n * sizeof *s->finding);
    s->can = calloc(n, 1);
    if (s->finding == NULL || s->can == NULL) {
        free(s->finding);
        s->finding = NULL;
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (size_t v = 0; v < n; v++)
        s->finding[v] = SIZE_MAX;
    return s;
}

/* One finding per sensitive workflow, listing every partner that can start or approve it:
 * the first partner in id order gives the chain, the batches after it add themselves and
 * what they can do; the sentences once every partner is known. */
int ap_rule__sensitive_workflow(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights acts = (ap_rights)1 << AP_R_EXECUTE | (ap_rights)1 << AP_R_APPROVE;
    workflow_state *s = workflows_of(c);
    (void)r;
    if (s == NULL)
        return c->rc;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t nflows;
        const uint32_t *flows = ap_findings__reach_kind(c, i, AP_KIND_WORKFLOW, &nflows);
        for (uint32_t k = 0; k < nflows && c->rc == AP_OK; k++) {
            uint32_t w = flows[k];
            ap_sensitivity sens = ap_findings__sens(c, w);
            if (sens < AP_SENS_CONFIDENTIAL)
                continue;
            uint32_t te = trigger_edge(c, a, w);
            if (te == AP_UNREACHED && (a->rights[w] & acts) == 0)
                continue;
            unsigned can = (te != AP_UNREACHED ? CAN_TRIGGER : 0)
                           | (a->rights[w] >> AP_R_EXECUTE & 1 ? CAN_EXECUTE : 0)
                           | (a->rights[w] >> AP_R_APPROVE & 1 ? CAN_APPROVE : 0);
            s->can[w] |= (unsigned char)can;
            if (s->finding[w] != SIZE_MAX) {
                ap_findings__partner_at(c, s->finding[w], p);
                continue;
            }
            ap_finding *f = ap_findings__add(c, p, false, w);
            if (te != AP_UNREACHED)
                ap_findings__path(c, f, a, ap_graph_edge(g, te)->from, te);
            else
                ap_findings__path(c, f, a, w, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            s->finding[w] = (size_t)(f - c->out->items);
        }
    }
    for (uint32_t w = 0; c->last && w < ap_graph_node_count(g) && c->rc == AP_OK; w++) {
        char how[64] = "", who[512], chain[1024];
        if (s->finding[w] == SIZE_MAX)
            continue;
        ap_finding *f = ap_findings__at(c, s->finding[w]);
        if (f == NULL)
            break;
        ap_sensitivity sens = ap_findings__sensitivity(g, w);
        bool many = f->npartners > 1;
        if (s->can[w] & CAN_TRIGGER)
            add_word(how, sizeof how, "trigger");
        if (s->can[w] & CAN_EXECUTE)
            add_word(how, sizeof how, "execute");
        if (s->can[w] & CAN_APPROVE)
            add_word(how, sizeof how, "approve");
        ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(sens));
        ap_findings__fact(c, f, "can", "%s", how);
        ap_findings__partner_list(c, f, who, sizeof who, 5);
        ap_findings__message(c, f, "Partner%s %s can %s %s workflow %s %s%s%s.",
                             many ? "s" : "", who, how, ap_sensitivity_name(sens),
                             ap_graph_node(g, w)->id, many ? "(for example through " : "through ",
                             ap_findings__chain(c, f, chain, sizeof chain), many ? ")" : "");
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
    ap_edge_select esc;         /* the escalating edges */
} points;

static void free_points(void *p)
{
    points *s = p;
    free(s->at);
    free(s->crossed);
    free(s->list);
    ap_findings__select_free(&s->esc);
    free(s);
}

static ap_rights escalating(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->escalates ? AP_RIGHTS_ALL : 0;
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
    if (ap_findings__select_edges(c, &s->esc, escalating) < 0)
        return NULL;
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
    ap_findings__partner_at(c, x->finding, c->partners[i]);
    if (e < x->first) {                 /* an earlier step: its first partner's chain */
        ap_finding *f = ap_findings__at(c, x->finding);
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
    ap_finding *f = ap_findings__at(c, x->finding);
    if (f == NULL)
        return c->rc;
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
            if (!ap_findings__selected_tail(&s->esc, v))
                continue;
            for (uint32_t j = s->esc.off[v]; j < s->esc.off[v + 1]; j++)
                if (ap_findings__carries(c, a, s->esc.edge[j]))
                    cross(c, s, i, a, v, s->esc.edge[j]);
        }
    }
    for (uint32_t u = 0; c->last && u < ap_graph_node_count(g) && c->rc == AP_OK; u++)
        if (s->at[u] != AP_UNREACHED)
            escalation_point(c, s, u);
    return c->rc;
}

static ap_rights temporary(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->expires == AP_TIME_NONE
           && ap_findings__edge_flag(c, e, "temporary", false) ? AP_RIGHTS_ALL : 0;
}

static bool is_temporary(const ap_rule_ctx *c, uint32_t e)
{
    return temporary(c, e) != 0;
}

int ap_rule__temporary_no_expiry(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    if (!ap_findings__exists(c, true, is_temporary))   /* every finding is about one */
        return c->rc;
    ap_edge_witnesses *w = ap_findings__per_edge(c, temporary);
    for (size_t k = 0; w != NULL && k < w->n && c->rc == AP_OK; k++) {
        ap_finding *f = ap_findings__at(c, w->list[k].finding);
        if (f == NULL)
            break;
        const ap_edge *ed = ap_graph_edge(g, f->subject);
        char who[1024], how[1200];
        ap_findings__fact(c, f, "temporary", "true");
        ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
        char whose[1100];
        snprintf(whose, sizeof whose, f->npartners > 1 ? "the authority of %s" : "%s's authority",
                 who);
        ap_findings__message(c, f, "Temporary %s edge %s carries %s to %s (%s) but has no "
                             "expiry.", ap_edge_kind_name(ed->kind), ed->id, whose,
                             ap_graph_node(g, ed->to)->id, how);
    }
    return c->rc;
}
