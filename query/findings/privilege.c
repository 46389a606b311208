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
    for (uint32_t i = 0; i < c->npartners; i++) {
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
 * chain per member. slot[e] (edge count entries) gets the finding's index, or SIZE_MAX. */
static int per_edge(ap_rule_ctx *c, bool (*pick)(const ap_graph *, uint32_t), size_t *slot)
{
    const ap_graph *g = c->g;
    uint32_t ne = ap_graph_edge_count(g), *best = malloc(((size_t)ne + 1) * sizeof *best);
    if (best == NULL)
        return c->rc = ap_error_nomem(c->err);
    for (uint32_t e = 0; e < ne; e++) {
        best[e] = AP_UNREACHED;
        slot[e] = SIZE_MAX;
    }
    for (int pass = 0; pass < 2 && c->rc == AP_OK; pass++) {
        for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
            const ap_authority *a = c->auth[i];
            for (uint32_t k = 0; k <= a->nreach && c->rc == AP_OK; k++) {
                uint32_t v = k < a->nreach ? a->reach[k] : a->source;
                for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                    if (!pick(g, e) || !ap_findings__carries(c, a, e))
                        continue;
                    if (pass == 1) {
                        ap_findings__partner(c, &c->out->items[slot[e]], c->partners[i]);
                        continue;
                    }
                    if (best[e] == AP_UNREACHED || a->hops[v] < c->auth[best[e]]->hops[v])
                        best[e] = i;
                }
            }
        }
        for (uint32_t e = 0; pass == 0 && e < ne && c->rc == AP_OK; e++) {
            if (best[e] == AP_UNREACHED)
                continue;
            const ap_edge *ed = ap_graph_edge(g, e);
            const ap_authority *a = c->auth[best[e]];
            ap_finding *f = ap_findings__add(c, c->partners[best[e]], true, e);
            ap_findings__node(c, f, ed->from);
            ap_findings__node(c, f, ed->to);
            ap_findings__path(c, f, a, ed->from, e);
            if (f != NULL)
                slot[e] = (size_t)(f - c->out->items);
        }
    }
    free(best);
    return c->rc;
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

static bool undeclared_access(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    return ed->kind == AP_EDGE_ACCESS && !ed->declared;
}

int ap_rule__undeclared_rights(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    uint32_t ne = ap_graph_edge_count(g);
    size_t *slot = malloc(((size_t)ne + 1) * sizeof *slot);
    (void)r;
    if (slot == NULL)
        return c->rc = ap_error_nomem(c->err);
    per_edge(c, undeclared_access, slot);
    for (uint32_t e = 0; e < ne && c->rc == AP_OK; e++) {
        if (slot[e] == SIZE_MAX)
            continue;
        ap_finding *f = &c->out->items[slot[e]];
        const ap_edge *ed = ap_graph_edge(g, e);
        uint32_t from = ap_graph_edge(g, f->path[0])->from;
        const ap_authority *a = c->auth[ap_findings__partner_index(c, from)];
        char who[1024], how[1200];
        ap_findings__rights(c, f, "passes", ap_edge_transfer(ed, a->rights[ed->from]));
        who_and_how(c, f, who, sizeof who, how, sizeof how);
        ap_findings__message(c, f, "Access edge %s declares no rights, so it passes every "
                             "right %s bring%s to %s (%s).", ed->id, who,
                             f->npartners > 1 ? "" : "s", ap_graph_node(g, ed->to)->id, how);
    }
    free(slot);
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
    for (uint32_t i = 0; i < c->npartners; i++) {
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
 * authority crosses one of them, what they bring to u and what the steps grant. */
static int escalation_point(ap_rule_ctx *c, uint32_t u)
{
    const ap_graph *g = c->g;
    ap_finding *f = NULL;
    ap_rights brought = 0, gains = 0;
    uint32_t nsteps = 0, first = AP_UNREACHED, kinds = 0;
    bool same_gain = true;
    char who[512], step[2048], gtext[512], btext[512], chain[2048], targets[1024] = "";
    for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        bool counted = false;
        if (!ed->escalates)
            continue;
        for (uint32_t i = 0; i < c->npartners; i++) {
            const ap_authority *a = c->auth[i];
            if (!ap_findings__carries(c, a, e))
                continue;
            ap_rights gain = ap_edge_transfer(ed, a->rights[u]);
            if (f == NULL) {
                f = ap_findings__add(c, c->partners[i], false, u);
                if (f == NULL)
                    return c->rc;
                first = e;
                ap_findings__path(c, f, a, u, e);
                gains = gain;
            }
            ap_findings__partner(c, f, c->partners[i]);
            brought |= a->rights[u];
            same_gain &= gain == gains;
            gains |= gain;
            if (!counted) {
                size_t used = strlen(targets);
                counted = true;
                ap_findings__node(c, f, ed->to);
                if (nsteps < 5)
                    snprintf(targets + used, sizeof targets - used, "%s%s", nsteps ? ", " : "",
                             ap_graph_node(g, ed->to)->id);
                nsteps++;
                kinds |= 1u << ed->kind;
            }
        }
    }
    if (f == NULL)
        return c->rc;
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
        step_text(step, sizeof step, g, ap_graph_edge(g, first));
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
    (void)r;
    for (uint32_t u = 0; u < ap_graph_node_count(g) && c->rc == AP_OK; u++)
        escalation_point(c, u);
    return c->rc;
}

static bool temporary(const ap_graph *g, uint32_t e)
{
    return ap_graph_edge(g, e)->expires == AP_TIME_NONE
           && ap_graph_edge_bool(g, e, "temporary", false);
}

int ap_rule__temporary_no_expiry(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    uint32_t ne = ap_graph_edge_count(g);
    size_t *slot = malloc(((size_t)ne + 1) * sizeof *slot);
    (void)r;
    if (slot == NULL)
        return c->rc = ap_error_nomem(c->err);
    per_edge(c, temporary, slot);
    for (uint32_t e = 0; e < ne && c->rc == AP_OK; e++) {
        if (slot[e] == SIZE_MAX)
            continue;
        ap_finding *f = &c->out->items[slot[e]];
        const ap_edge *ed = ap_graph_edge(g, e);
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
    free(slot);
    return c->rc;
}
