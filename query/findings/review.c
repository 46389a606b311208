/* query/findings/review.c: the access review cadence. A partner's last_reviewed must be
 * younger than the policy's cadence for the most sensitive resource or workflow it reaches. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* One batch's partners: the lanes reaching a resource or workflow of each sensitivity. */
typedef struct {
    uint64_t has[AP_SENS_COUNT][AP_KERNEL_LMAX];
} review_batch;

static bool watch_target(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__sens(c, v) != AP_SENS_NONE;
}

static void node_review(ap_rule_ctx *c, const ap_lanes_at *x)
{
    review_batch *st = ap_findings__state(c, sizeof *st, NULL);
    unsigned L = x->b->L;
    if (st == NULL)
        return;
    for (unsigned j = 0; j < L; j++)
        st->has[ap_findings__sens(c, x->v)][j] |= x->w[x->b->K * L + j];
}

/* The message, with the chain to top (AP_UNREACHED: the partner reaches nothing sensitive). */
static void say_review(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t top,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    uint32_t p = f->partner, via = AP_UNREACHED;
    const char *level = ap_findings__fact_of(f, "sensitivity");
    ap_sensitivity s = AP_SENS_INTERNAL;
    int64_t reviewed;
    char d[32], due[32], chain[1024];
    (void)e;
    while (level != NULL && s + 1 < AP_SENS_COUNT && strcmp(ap_sensitivity_name(s), level) != 0)
        s++;
    int64_t every = c->policy->review_every[s];
    bool never = !ap_graph_node_time(g, p, "last_reviewed", &reviewed);
    if (top != AP_UNREACHED) {
        ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, top)->id);
        ap_findings__path(c, f, a, top, AP_UNREACHED);
        /* through another partner, the evidence stops at it (its own findings carry on) */
        via = ap_findings__stop_at_partner(c, f, top);
        snprintf(chain, sizeof chain, "it reaches %s %s through ", ap_sensitivity_name(s),
                 ap_graph_node(g, top)->id);
    } else {
        snprintf(chain, sizeof chain, "it reaches nothing above internal");
    }
    size_t used = strlen(chain);
    if (top != AP_UNREACHED)
        ap_findings__chain(c, f, chain + used, sizeof chain - used);
    used = strlen(chain);
    if (via != AP_UNREACHED)
        snprintf(chain + used, sizeof chain - used, ", acting for partner %s",
                 ap_graph_node(g, via)->id);
    if (never) {
        ap_findings__message(c, f, "Partner %s was never reviewed; %s, so the cadence is "
                             "%lld days.", ap_graph_node(g, p)->id, chain,
                             (long long)(every / AP_DAY));
    } else {
        ap_findings__date_text(d, sizeof d, reviewed);
        ap_findings__date_text(due, sizeof due, reviewed + every);
        ap_findings__message(c, f, "Partner %s was last reviewed on %s and was due by %s; "
                             "%s, so the cadence is %lld days.", ap_graph_node(g, p)->id, d,
                             due, chain, (long long)(every / AP_DAY));
    }
}

/* Each partner of the batch: the most sensitive level it reaches (internal when nothing is
 * above it), the cadence that sets, and a finding when its review is older. */
static void batch_review(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    review_batch *st = ap_findings__state(c, sizeof *st, NULL);
    if (st == NULL)
        return;
    for (unsigned lane = 0; lane < b->nb && c->rc == AP_OK; lane++) {
        uint32_t p = ap_findings__lane_partner(c, b, lane);
        ap_sensitivity s = AP_SENS_INTERNAL;     /* what nothing sensitive is reviewed at */
        bool reached = false;
        int64_t reviewed;
        for (int k = 0; k < AP_SENS_COUNT; k++)
            if (st->has[k][lane / 64] >> (lane % 64) & 1) {
                reached |= k >= AP_SENS_INTERNAL;
                if (k >= (int)s)
                    s = (ap_sensitivity)k;
            }
        int64_t every = c->policy->review_every[s];
        bool never = !ap_graph_node_time(c->g, p, "last_reviewed", &reviewed);
        if (!never && c->at - reviewed <= every)
            continue;
        ap_finding *f = ap_findings__add(c, p, false, p);
        if (!never) {
            ap_findings__date(c, f, "last_reviewed", reviewed);
            ap_findings__date(c, f, "due", reviewed + every);
        }
        ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(s));
        ap_findings__fact(c, f, "cadence_days", "%lld", (long long)(every / AP_DAY));
        if (reached)
            ap_findings__chain_first(c, f, p, false, ap_findings__pick_level,
                                     (uint32_t)s + 1, say_review);
        else if (f != NULL)
            say_review(c, f, NULL, AP_UNREACHED, AP_UNREACHED);
    }
    memset(st, 0, sizeof *st);
}

const ap_lanes_rule ap_lanes__review_overdue = {
    "review-overdue", watch_target, false, node_review, batch_review, NULL
};
