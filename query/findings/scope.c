/* query/findings/scope.c: purpose you can test. Each partner's declared scope held against
 * what it really reaches (authority-beyond-scope), and partners that declare none. */
#define _GNU_SOURCE             /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/scope.h"
#include "findings_internal.h"

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

/* One finding for partner p and one reason, over its n targets (sorted). */
static int beyond(ap_rule_ctx *c, const ap_rule *r, const ap_scope *s, uint32_t p,
                  const ap_authority *a, ap_scope_reason why, const uint32_t *targets,
                  uint32_t n)
{
    const ap_graph *g = c->g;
    char list[4096] = "", chain[1024], rights[256];
    ap_sensitivity worst = ap_findings__sensitivity(g, targets[0]);
    ap_finding *f = ap_findings__add(c, p, false, p);
    size_t used = 0;
    ap_findings__path(c, f, a, targets[0], AP_UNREACHED);
    for (uint32_t k = 0; k < n && k < SCOPE_LISTED; k++)   /* the rest counted: "outside" */
        ap_findings__node(c, f, targets[k]);
    ap_findings__fact(c, f, "reason", "%s", ap_scope_reason_name(why));
    ap_findings__fact(c, f, "outside", "%u", n);
    for (uint32_t k = 0; k < n && k < SCOPE_LISTED; k++) {
        uint32_t v = targets[k];
        chain_to(g, a, v, chain, sizeof chain);
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), a->rights[v], ", ", false);
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                 "%s%s (%s, %s) through %s", k ? "; " : "",
                                 ap_graph_node(g, v)->id,
                                 ap_sensitivity_name(ap_findings__sensitivity(g, v)), rights,
                                 chain);
        if (used >= sizeof list)
            break;
    }
    if (n > SCOPE_LISTED && used < sizeof list)
        snprintf(list + used, sizeof list - used, "; and %u more", n - SCOPE_LISTED);
    ap_findings__fact(c, f, "targets", "%s", list);
    if (why == AP_SCOPE_WINDOW)
        ap_findings__fact(c, f, "window", "%s", s->until != AP_TIME_NONE && c->at >= s->until
                          ? "ended" : "not yet begun");
    if (f == NULL)
        return c->rc;
    /* high; critical when what lies outside is critical or restricted (unless the policy
     * changed the rule's severity) */
    if (f->severity == r->severity && worst >= AP_SENS_RESTRICTED)
        f->severity = AP_SEV_CRITICAL;
    chain_to(g, a, targets[0], chain, sizeof chain);
    ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), a->rights[targets[0]], ", ",
                     false);
    if (n > 1)
        snprintf(list, sizeof list, " (%u targets in all)", n);
    else
        list[0] = '\0';
    ap_findings__message(c, f, "Partner %s reaches %s (%s; %s) %s, through %s%s.",
                         ap_graph_node(g, p)->id, ap_graph_node(g, targets[0])->id,
                         ap_sensitivity_name(worst), rights, reason_text(why), chain, list);
    return c->rc;
}

int ap_rule__beyond_scope(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    uint32_t *targets = NULL;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        ap_scope *s = NULL;
        uint32_t n = 0;
        if ((c->rc = ap_scope_of(&s, g, c->partners[i], c->policy, c->err)) < 0 || s == NULL)
            continue;
        free(targets);
        if ((targets = malloc((a->nreach + 1) * sizeof *targets)) == NULL) {
            ap_scope_free(s);
            c->rc = ap_error_nomem(c->err);
            break;
        }
        for (unsigned bit = 1; bit < (1u << AP_SCOPE_REASONS) && c->rc == AP_OK; bit <<= 1) {
            n = 0;
            for (uint32_t k = 0; k < a->nreach; k++) {
                uint32_t v = a->reach[k];
                if (ap_scope_outside(s, g, v, a->rights[v], c->at) & bit)
                    targets[n++] = v;
            }
            if (n == 0)
                continue;
            target_order order = { g, a };
            qsort_r(targets, n, sizeof *targets, cmp_target, &order);
            beyond(c, r, s, c->partners[i], a, (ap_scope_reason)bit, targets, n);
        }
        ap_scope_free(s);
    }
    free(targets);
    return c->rc;
}

int ap_rule__scope_undeclared(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i], top = AP_UNREACHED, count = 0;
        ap_scope *s = NULL;
        char chain[1024];
        if ((c->rc = ap_scope_of(&s, g, p, c->policy, c->err)) < 0)
            break;
        if (s != NULL) {
            ap_scope_free(s);
            continue;
        }
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            ap_sensitivity sv = ap_findings__sens(c, v);
            if (sv < AP_SENS_CONFIDENTIAL)
                continue;
            count++;
            if (top == AP_UNREACHED || sv > ap_findings__sens(c, top))
                top = v;
        }
        if (top == AP_UNREACHED)
            continue;
        ap_finding *f = ap_findings__add(c, p, false, p);
        ap_findings__path(c, f, a, top, AP_UNREACHED);
        ap_findings__node(c, f, top);
        ap_findings__fact(c, f, "sensitive_targets", "%u", count);
        /* through another partner, the evidence stops at it (its own findings carry on) */
        uint32_t via = ap_findings__stop_at_partner(c, f, top);
        if (f == NULL)
            break;
        ap_findings__chain(c, f, chain, sizeof chain);
        if (via != AP_UNREACHED) {
            size_t used = strlen(chain);
            snprintf(chain + used, sizeof chain - used, ", acting for partner %s",
                     ap_graph_node(g, via)->id);
        }
        ap_findings__message(c, f, "Partner %s declares no scope, yet reaches %u sensitive "
                             "targets, the most sensitive %s (%s) through %s.",
                             ap_graph_node(g, p)->id, count, ap_graph_node(g, top)->id,
                             ap_sensitivity_name(ap_findings__sensitivity(g, top)), chain);
    }
    return c->rc;
}
