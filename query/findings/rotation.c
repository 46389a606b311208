/* query/findings/rotation.c: credential rotation. A partner's credential must have been rotated
 * within the policy's period for the most sensitive thing it reaches. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

/* The most sensitive node of a reach above internal, the first in its order (hops, then id),
 * heard a round at a time: enough once it is critical, as nothing can be more. */
typedef struct {
    const ap_graph *g;
    ap_sensitivity s;
    uint32_t top;
} most_sensitive;

static bool found_critical(void *ctx, const ap_authority *a, uint32_t v)
{
    most_sensitive *m = ctx;
    ap_sensitivity vs = ap_findings__sensitivity(m->g, v);
    if (vs > m->s) {
        m->s = vs;
        m->top = v;
    } else if (vs == m->s && m->top != AP_UNREACHED && a->hops[v] == a->hops[m->top]
               && v < m->top) {
        m->top = v;
    }
    return m->s == AP_SENS_CRITICAL;
}

/* The message of f about credential f->subject: its facts say when and why it was due. */
static void say_rotation(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    uint32_t v = f->subject;
    int64_t since;
    bool rotated = ap_graph_node_time(g, v, "last_rotated", &since);
    if (!rotated && !ap_graph_node_time(g, v, "created", &since))
        ap_graph_node_time(g, v, "valid_from", &since);
    const char *sens = ap_findings__fact_of(f, "sensitivity");
    const char *days = ap_findings__fact_of(f, "rotation_days");
    const char *top = ap_findings__fact_of(f, "target");
    char d[32], due[32], held[1800];
    if (sens == NULL || days == NULL)
        return;
    ap_findings__date_text(d, sizeof d, since);
    ap_findings__date_text(due, sizeof due, since + (int64_t)atoll(days) * AP_DAY);
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "Credential %s, held by %s, was %s %s and was due for "
                         "rotation by %s (every %s days: it reaches %s%s%s).",
                         ap_graph_node(g, v)->id, held,
                         rotated ? "last rotated on" : "created, never rotated, on", d, due,
                         days, sens, top != NULL ? " " : "", top != NULL ? top : "");
}

int ap_rule__rotation_overdue(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    /* across batches, per credential: looked at (its first holder's batch index), and then
     * whether it is overdue; its later holders join its finding */
    size_t *seen = ap_findings__slots(c, ap_graph_node_count(g));
    (void)r;
    if (seen == NULL)
        return c->rc;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k], top = AP_UNREACHED;
            int64_t since, every;
            bool rotated;
            ap_sensitivity s = AP_SENS_INTERNAL;
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL)
                continue;
            if (seen[v] != SIZE_MAX) {
                if (seen[v] != SIZE_MAX - 1)
                    ap_findings__subject(c, p, false, v);     /* overdue: p joins its finding */
                continue;
            }
            seen[v] = SIZE_MAX - 1;     /* looked at: not overdue unless found below */
            rotated = ap_graph_node_time(g, v, "last_rotated", &since);
            /* never rotated: a static secret counts from its creation; anything else issued
             * per session has nothing to rotate that we can see */
            if (!rotated && !(ap_findings__static(g, v)
                              && (ap_graph_node_time(g, v, "created", &since)
                                  || ap_graph_node_time(g, v, "valid_from", &since))))
                continue;
            most_sensitive m = { g, AP_SENS_INTERNAL, AP_UNREACHED };
            if (ap_findings__authority_until(c, v, found_critical, &m) == NULL)
                break;
            s = m.s;
            top = m.top;
            every = c->policy->rotate_every[s];
            if (c->at - since <= every)
                continue;
            ap_finding *f = ap_findings__subject(c, p, false, v);
            if (f == NULL)
                break;
            seen[v] = i;
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            ap_findings__date(c, f, rotated ? "last_rotated" : "created", since);
            ap_findings__date(c, f, "due", since + every);
            ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(s));
            ap_findings__fact(c, f, "rotation_days", "%lld", (long long)(every / AP_DAY));
            if (top != AP_UNREACHED)
                ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, top)->id);
            say_rotation(c, f);
        }
    }
    return ap_findings__subjects_said(c, 1, say_rotation);
}
