/* query/findings/offboarding.c: rules about access that outlives its reason (OWASP NHI1): an
 * ended or suspended partner whose authority still works, minting rights, dormant access. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* Is partner node p's contract over (*ends, when it has an end), or its state suspended or
 * revoked? */
static bool ended(const ap_rule_ctx *c, uint32_t p, bool *over, int64_t *ends)
{
    const ap_node *nd = ap_graph_node(c->g, p);
    *over = ap_graph_node_time(c->g, p, "contract_ends", ends) && *ends <= c->at;
    return *over || nd->state == AP_STATE_SUSPENDED || nd->state == AP_STATE_REVOKED;
}

static bool ended_partner(const ap_rule_ctx *c, uint32_t v)
{
    bool over;
    int64_t ends;
    return ap_findings__kind(c, v) == AP_KIND_PARTNER && ended(c, v, &over, &ends);
}

/* Every node, when some partner is ended: any of them may be its reach. (The graph is asked
 * once per run: ap_findings__exists keeps the answer in the context, hence the cast.) */
static bool watch_ended(const ap_rule_ctx *c, uint32_t v)
{
    (void)v;
    return ap_findings__exists((ap_rule_ctx *)c, false, ended_partner);
}

/* The batch's ended partners (their lanes), and those that reach something so far: how many
 * nodes each reaches, and at which sensitivities. */
typedef struct {
    uint32_t base;              /* the batch the words are about, + 1 (0: none yet) */
    uint64_t ended[AP_KERNEL_LMAX], reach[AP_KERNEL_LMAX];
    uint64_t count[AP_LANE_COUNT_BITS * AP_KERNEL_LMAX];
    uint64_t sens[AP_SENS_COUNT + 1][AP_KERNEL_LMAX];  /* by ap_sensitivity + 1 */
} ended_lanes;

static void node_ended(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_kernel_batch *b = x->b;
    ended_lanes *s = ap_findings__state(c, sizeof *s, NULL);
    bool over;
    int64_t ends;
    if (s == NULL)
        return;
    if (s->base != b->base + 1) {
        s->base = b->base + 1;
        memset(s->ended, 0, sizeof s->ended);
        memset(s->reach, 0, sizeof s->reach);
        memset(s->count, 0, sizeof s->count);
        memset(s->sens, 0, sizeof s->sens);
        /* a pass over the batch's partners, once a batch */
        for (uint32_t k = 0; k < b->nb; k++)
            if (ended(c, c->partners[b->base + k], &over, &ends))
                s->ended[k / 64] |= (uint64_t)1 << (k % 64);
    }
    /* the lanes holding something at v, but the partner v itself (its own source) */
    int64_t self = ap_findings__kind(c, x->v) == AP_KIND_PARTNER
                   ? ap_findings__partner_index(c, x->v) - (int64_t)b->base : -1;
    uint64_t m[AP_KERNEL_LMAX];
    uint64_t *at = s->sens[ap_findings__sens(c, x->v) + 1];
    for (unsigned j = 0; j < b->L; j++) {
        m[j] = x->w[b->K * b->L + j] & s->ended[j];
        if (self >= 0 && self < (int64_t)b->nb && (unsigned)(self / 64) == j)
            m[j] &= ~((uint64_t)1 << (self % 64));
        s->reach[j] |= m[j];
        at[j] |= m[j];
    }
    ap_findings__count_lanes(s->count, b->L, m);
}

/* The reached nodes that best show what is still live: the most sensitive resources or
 * workflows (arg: ap_sensitivity + 1); the chain shows the first in reach order. */
/* Finding f's partner's reach (a fact, counted on the kernel's words), the node that best
 * shows it (target, the first showcase its run reached), the chain. */
static void chain_ended(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                        uint32_t e)
{
    const ap_graph *g = c->g;
    const ap_node *nd = ap_graph_node(g, f->partner);
    bool over;
    int64_t ends = 0;
    char why[96], chain[1024], d[32] = "";
    const char *reach = ap_findings__fact_of(f, "reach");
    (void)e;
    if (v == AP_UNREACHED || reach == NULL) {
        c->rc = ap_error_set(c->err, AP_EBUG, "partner '%s': its run did not reach the "
                             "showcase its kernel words hold", nd->id);
        return;
    }
    bool stopped = nd->state == AP_STATE_SUSPENDED || nd->state == AP_STATE_REVOKED;
    ended(c, f->partner, &over, &ends);
    if (over)
        ap_findings__date_text(d, sizeof d, ends);
    if (over && stopped)
        snprintf(why, sizeof why, "contract ended on %s and it is %s", d,
                 ap_state_name(nd->state));
    else if (over)
        snprintf(why, sizeof why, "contract ended on %s", d);
    else
        snprintf(why, sizeof why, "state is %s", ap_state_name(nd->state));
    ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, v)->id);
    /* the rights the chain shown carries there (docs/design.md: no chain claims more) */
    ap_findings__rights(c, f, "rights",
                        ap_findings__path_for(c, f, a, v, AP_RIGHTS_ALL) & a->rights[v]);
    ap_findings__message(c, f, "Partner %s's %s, yet its authority still reaches %s node%s, "
                         "among them %s through %s.", nd->id, why, reach,
                         strcmp(reach, "1") == 0 ? "" : "s", ap_graph_node(g, v)->id,
                         ap_findings__chain(c, f, chain, sizeof chain));
}

/* The batch's ended partners that reach something: a finding each, its facts from the
 * partner's whole run (one per ended partner, made last). */
static void batch_end_ended(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    ended_lanes *s = ap_findings__state(c, sizeof *s, NULL);
    if (s == NULL || s->base != b->base + 1)
        return;                         /* no node heard of this batch */
    for (unsigned j = 0; j < b->L && c->rc == AP_OK; j++)
        for (uint64_t m = s->reach[j]; m != 0 && c->rc == AP_OK; m &= m - 1) {
            uint32_t p = ap_findings__lane_partner(c, b, j * 64 + (unsigned)__builtin_ctzll(m));
            const ap_node *nd = ap_graph_node(c->g, p);
            bool over;
            int64_t ends;
            ended(c, p, &over, &ends);
            ap_finding *f = ap_findings__add(c, p, false, p);
            if (over)
                ap_findings__date(c, f, "contract_ends", ends);
            if (nd->state == AP_STATE_SUSPENDED || nd->state == AP_STATE_REVOKED)
                ap_findings__fact(c, f, "state", "%s", ap_state_name(nd->state));
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            ap_findings__fact(c, f, "reach", "%u", ap_findings__lane_count(s->count, b->L, lane));
            uint32_t top = AP_SENS_COUNT;
            while (top > 0 && !(s->sens[top][j] >> (lane % 64) & 1))
                top--;
            ap_findings__chain_first(c, f, p, false, ap_findings__pick_level, top, chain_ended);
        }
    memset(s->reach, 0, sizeof s->reach);
    memset(s->count, 0, sizeof s->count);
    memset(s->sens, 0, sizeof s->sens);
}

const ap_lanes_rule ap_lanes__partner_ended_live = {
    "partner-ended-live", watch_ended, false, node_ended, batch_end_ended, NULL
};

/* The edges that let a partner mint credentials: a can_mint edge, or an edge that passes the
 * mint right by name into a resource or workflow (a secrets manager, an issuing CA); `all` on
 * an undeclared edge is undeclared-rights' business. What of the partner's rights there the
 * edge must pass. */
static ap_rights mint_grant(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    if (ed->kind == AP_EDGE_CAN_MINT)
        return AP_RIGHTS_ALL;
    if (!ed->declared || ed->rights == AP_RIGHTS_ALL || !(ed->rights >> AP_R_MINT & 1)
        || ap_findings__sens(c, ed->to) == AP_SENS_NONE)
        return 0;
    return (ap_rights)1 << AP_R_MINT;
}

static bool watch_mint(const ap_rule_ctx *c, uint32_t v)
{
    for (uint32_t e = ap_graph_out_begin(c->g, v); e < ap_graph_out_end(c->g, v); e++)
        if (mint_grant(c, e) != 0)
            return true;
    return false;
}

/* The message of f about grant f->subject, once its partners are known. */
static void chain_mint(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    const ap_edge *ed = ap_graph_edge(g, f->subject);
    const char *to = ap_graph_node(g, ed->to)->id;
    char who[512], chain[1024];
    bool many = f->npartners > 1;
    ap_findings__node(c, f, ed->from);  /* the grant's ends first, as every edge finding */
    ap_findings__node(c, f, ed->to);
    ap_findings__path(c, f, a, v, e);
    ap_findings__partner_list(c, f, who, sizeof who, 5);
    ap_findings__chain(c, f, chain, sizeof chain);
    /* one partner: "through CHAIN; it"; several: "(for example through CHAIN); each" */
    const char *open = many ? " (for example through " : " through ";
    const char *close = many ? "); each" : "; it";
    if (ed->kind == AP_EDGE_CAN_MINT)
        ap_findings__message(c, f, "Partner%s %s can mint credentials for %s%s%s%s can "
                             "leave itself access that survives its offboarding.",
                             many ? "s" : "", who, to, open, chain, close);
    else
        ap_findings__message(c, f, "Partner%s %s hold%s the mint right on %s%s%s%s can "
                             "leave itself access that survives its offboarding.",
                             many ? "s" : "", who, many ? "" : "s", to, open, chain, close);
}

/* The grants out of x->v and the batch's lanes that use them: one finding per grant, about
 * every partner whose authority crosses it with what it needs, the chain from the first in id
 * order. */
static void node_mint(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    uint64_t lanes[AP_KERNEL_LMAX], mint[AP_KERNEL_LMAX];
    bool mints = false;
    for (uint32_t e = ap_graph_out_begin(g, x->v); e < ap_graph_out_end(g, x->v); e++) {
        ap_rights need = mint_grant(c, e);
        const ap_edge *ed = ap_graph_edge(g, e);
        if (need == 0)
            continue;
        ap_findings__edge_lanes(c, x, e, lanes);
        /* the mint right by name: the lane must hold it there (an escalation grants it) */
        if (need != AP_RIGHTS_ALL && !ed->escalates) {
            if (!mints)
                ap_findings__lanes_with(x, need, mint);
            mints = true;
            for (unsigned j = 0; j < x->b->L; j++)
                lanes[j] &= mint[j];
        }
        int64_t first = ap_findings__first_lane(x->b, lanes);
        ap_finding *f = ap_findings__subject_lanes(c, x->b, lanes, true, e);
        if (f == NULL)
            continue;                   /* none, or another partner's finding: joined it */
        if (ed->kind == AP_EDGE_CAN_MINT)
            ap_findings__fact(c, f, "mints_for", "%s", ap_graph_node(g, ed->to)->id);
        else
            ap_findings__rights(c, f, "rights",
                                ap_edge_transfer(ed, ap_findings__lane_rights(x,
                                                                              (unsigned)first)));
        ap_findings__chain_later(c, f, f->partner, x->v, e, false, chain_mint);
    }
}

const ap_lanes_rule ap_lanes__partner_can_mint = {
    "partner-can-mint", watch_mint, false, node_mint, NULL, NULL
};

static void say_dormant(ap_rule_ctx *c, ap_finding *f)
{
    const ap_node *nd = ap_graph_node(c->g, f->subject);
    int64_t used = 0;
    char d[32], held[1800];
    ap_findings__last_used(c, f->subject, &used);
    ap_findings__date_text(d, sizeof d, used);
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "%s %s, held by %s, is live but was last used on %s (%lld days "
                         "ago, window %lld).",
                         nd->kind == AP_KIND_CREDENTIAL ? "Credential" : "Identity", nd->id,
                         held, d, (long long)((c->at - used) / AP_DAY),
                         (long long)(c->policy->dormant_after / AP_DAY));
}

/* The identities and credentials a partner may own that are idle past the window. */
static bool watch_dormant(const ap_rule_ctx *c, uint32_t v)
{
    ap_kind k = ap_findings__kind(c, v);
    int64_t used;
    return (k == AP_KIND_IDENTITY || k == AP_KIND_CREDENTIAL)
           && ap_findings__last_used(c, v, &used) && c->at - used > c->policy->dormant_after;
}

/* Dormant identity or credential x->v and the batch's partners that own it: one finding, about
 * every partner concerned, its chain from the first in id order. */
static void node_dormant(ap_rule_ctx *c, const ap_lanes_at *x)
{
    int64_t used = 0;
    ap_finding *f = ap_findings__owned(c, x);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    ap_findings__last_used(c, x->v, &used);
    ap_findings__date(c, f, "last_used", used);
    ap_findings__fact(c, f, "idle_days", "%lld", (long long)((c->at - used) / AP_DAY));
    ap_findings__fact(c, f, "window_days", "%lld",
                      (long long)(c->policy->dormant_after / AP_DAY));
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, true, say_dormant);
}

const ap_lanes_rule ap_lanes__dormant_access = {
    "dormant-access", watch_dormant, true, node_dormant, NULL, NULL
};
