/* query/findings/privilege.c: rules about partners holding more than was decided (OWASP NHI5):
 * beyond a read-only tier, undeclared rights, sensitive workflows, escalation, temporary
 * elevation that never ends. */
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

int ap_rule__undeclared_rights(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            char chain[1024];
            if (ed->kind != AP_EDGE_ACCESS || ed->declared || !ap_findings__carries(c, a, e))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->from);
            ap_findings__node(c, f, ed->to);
            ap_findings__rights(c, f, "passes", ap_edge_transfer(ed, a->rights[ed->from]));
            ap_findings__path(c, f, a, ed->from, e);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Access edge %s declares no rights, so it passes every "
                                 "right partner %s brings to %s (through %s).", ed->id,
                                 ap_graph_node(g, p)->id, ap_graph_node(g, ed->to)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
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

int ap_rule__escalation(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            char chain[1024], brought[512];
            if (!ed->escalates || !ap_findings__carries(c, a, e))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->from);
            ap_findings__node(c, f, ed->to);
            ap_findings__rights(c, f, "brought", a->rights[ed->from]);
            ap_findings__rights(c, f, "gains", ap_edge_transfer(ed, a->rights[ed->from]));
            ap_findings__path(c, f, a, ed->from, e);
            if (f == NULL)
                return c->rc;
            ap_rights_format(brought, sizeof brought, ap_graph_vocab(g), a->rights[ed->from],
                             ", ", true);
            ap_findings__message(c, f, "Partner %s reaches %s with %s and, through the "
                                 "escalating %s step to %s, acts with %s's full rights (%s).",
                                 ap_graph_node(g, p)->id, ap_graph_node(g, ed->from)->id,
                                 brought, ap_edge_kind_name(ed->kind),
                                 ap_graph_node(g, ed->to)->id, ap_graph_node(g, ed->to)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

int ap_rule__temporary_no_expiry(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            char chain[1024];
            if (ed->expires != AP_TIME_NONE || !ap_graph_edge_bool(g, e, "temporary", false)
                || !ap_findings__carries(c, a, e))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->from);
            ap_findings__node(c, f, ed->to);
            ap_findings__fact(c, f, "temporary", "true");
            ap_findings__path(c, f, a, ed->from, e);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Temporary %s edge %s carries partner %s's authority "
                                 "to %s (through %s) but has no expiry.",
                                 ap_edge_kind_name(ed->kind), ed->id, ap_graph_node(g, p)->id,
                                 ap_graph_node(g, ed->to)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}
