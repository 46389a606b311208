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

/* When credential v's rotation period started (*since): last rotated, or, a static secret never
 * rotated, created (or valid from); false when it has nothing to rotate that we can see (a
 * credential issued per session). */
static bool rotation_start(const ap_rule_ctx *c, uint32_t v, int64_t *since, bool *rotated)
{
    enum { LAST, TYPE, STATIC, CREATED, VALID, NASK };
    ap_attr_ask ask[NASK] = { { .key = "last_rotated" }, { .key = "type" }, { .key = "static" },
                              { .key = "created" }, { .key = "valid_from" } };
    /* read once and let go: every credential */
    ap_findings__attrs(c, ap_graph_node(c->g, v)->attrs, ask, NASK);
    *rotated = ap_time_parse(ap_findings__ask_str(&ask[LAST]), since);
    if (*rotated || !ap_findings__static_of(&ask[TYPE], &ask[STATIC]))
        return *rotated;
    return ap_time_parse(ap_findings__ask_str(&ask[CREATED]), since)
           || ap_time_parse(ap_findings__ask_str(&ask[VALID]), since);
}

static bool watch_rotation(const ap_rule_ctx *c, uint32_t v)
{
    int64_t since;
    bool rotated;
    return ap_findings__kind(c, v) == AP_KIND_CREDENTIAL && rotation_start(c, v, &since, &rotated);
}

/* Per credential, across batches: 0 not looked at, 1 not overdue, 2 overdue. */
static void free_looked(void *p)
{
    unsigned char **s = p;
    free(*s);
    free(s);
}

/* Credential x->v and the batch's partners that own it: the first time some partner owns it,
 * its own authority says how sensitive it is (one run per credential, as far as the first
 * critical node), hence its period; overdue, one finding about every owner, its chain from
 * the first in id order. */
static void node_rotation(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    uint32_t v = x->v;
    uint64_t own[AP_KERNEL_LMAX];
    unsigned char **looked = ap_findings__state(c, sizeof *looked, free_looked);
    if (looked == NULL)
        return;
    if (*looked == NULL
        && (*looked = calloc((size_t)ap_graph_node_count(g) + 1, 1)) == NULL) {
        c->rc = ap_error_nomem(c->err);
        return;
    }
    if ((*looked)[v] == 1)
        return;
    ap_findings__owner_lanes(c, x, own);
    if (ap_findings__first_lane(x->b, own) < 0)
        return;
    if ((*looked)[v] == 2) {
        ap_findings__subject_lanes(c, x->b, own, false, v);     /* they join its finding */
        return;
    }
    int64_t since, every;
    bool rotated;
    rotation_start(c, v, &since, &rotated);
    most_sensitive m = { g, AP_SENS_INTERNAL, AP_UNREACHED };
    if (ap_findings__authority_until(c, v, found_critical, &m) == NULL)
        return;
    every = c->policy->rotate_every[m.s];
    (*looked)[v] = c->at - since <= every ? 1 : 2;
    if ((*looked)[v] == 1)
        return;
    ap_finding *f = ap_findings__subject_lanes(c, x->b, own, false, v);
    if (f == NULL)
        return;
    ap_findings__date(c, f, rotated ? "last_rotated" : "created", since);
    ap_findings__date(c, f, "due", since + every);
    ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(m.s));
    ap_findings__fact(c, f, "rotation_days", "%lld", (long long)(every / AP_DAY));
    if (m.top != AP_UNREACHED)
        ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, m.top)->id);
    ap_findings__chain_then(c, f, f->partner, v, AP_UNREACHED, true, say_rotation);
}

const ap_lanes_rule ap_lanes__credential_rotation_overdue = {
    "credential-rotation-overdue", watch_rotation, true, node_rotation, NULL, NULL
};
