/* query/findings/privilege.c: rules about partners holding more than was decided (OWASP NHI5):
 * beyond a read-only tier, undeclared rights, sensitive workflows, temporary elevation that
 * never ends (escalation: escalation.c). All on the all-partners kernel (lanes.c). */
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

static bool has_lane(const uint64_t *lanes, int64_t lane)
{
    return lane >= 0 && (lanes[lane / 64] >> (lane % 64) & 1);
}

/* ---- read-only-tier-exceeded ---- */

/* One finding per read-only partner: how many resources and workflows it can do more than
 * read on, by sensitivity, and the chain to the most sensitive (the first in reach order when
 * its run shows the right there, else the least id of them); a
 * read-only partner reaching 80,000 writable nodes is one root cause, not 80,000. */
typedef struct {
    uint32_t (*count)[AP_SENS_COUNT];   /* per partner index */
    ap_rights *more, *worst_rights;     /* rights beyond read: in all; at worst */
    uint32_t *worst;                    /* the most sensitive, least id; AP_UNREACHED */
    uint64_t ro[AP_KERNEL_LMAX];        /* the batch's read-only lanes, once ro_set */
    bool ro_set;
} readonly_state;

static void free_readonly(void *p)
{
    readonly_state *s = p;
    free(s->count);
    free(s->more);
    free(s->worst_rights);
    free(s->worst);
    free(s);
}

static readonly_state *readonly_of(ap_rule_ctx *c)
{
    readonly_state *s = ap_findings__state(c, sizeof *s, free_readonly);
    if (s == NULL || s->worst != NULL)
        return s;
    size_t n = (size_t)c->npartners + 1;
    s->count = calloc(n, sizeof *s->count);
    s->more = calloc(n, sizeof *s->more);
    s->worst_rights = calloc(n, sizeof *s->worst_rights);
    s->worst = malloc(n * sizeof *s->worst);
    if (s->count == NULL || s->more == NULL || s->worst_rights == NULL || s->worst == NULL) {
        free(s->worst);
        s->worst = NULL;
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        s->worst[i] = AP_UNREACHED;
    return s;
}

static ap_rights beyond_read(const ap_graph *g)
{
    return ap_vocab_all(ap_graph_vocab(g)) & ~((ap_rights)1 << AP_R_READ);
}

static bool watch_readonly(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__sens(c, v) != AP_SENS_NONE;
}

static void node_readonly(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_kernel_batch *b = x->b;
    readonly_state *s = readonly_of(c);
    uint64_t more[AP_KERNEL_LMAX], some = 0;
    if (s == NULL)
        return;
    if (!s->ro_set) {
        memset(s->ro, 0, sizeof s->ro);
        for (uint32_t lane = 0; lane < b->nb; lane++)
            if (ap_tier_parse(ap_graph_node_str(c->g, ap_findings__lane_partner(c, b, lane),
                                                "tier")) == AP_TIER_READ_ONLY)
                s->ro[lane / 64] |= (uint64_t)1 << (lane % 64);
        s->ro_set = true;
    }
    /* only the read-only lanes: the other partners cost a mask per word */
    for (unsigned j = 0; j < b->L; j++)
        some |= s->ro[j] & x->w[b->K * b->L + j];
    if (some == 0)
        return;
    ap_sensitivity sens = ap_findings__sens(c, x->v);
    ap_findings__lanes_with(x, beyond_read(c->g), more);
    /* one lane at a time: read-only partners only, a few of the batch's */
    for (unsigned j = 0; j < b->L; j++)
        for (uint64_t m = more[j] & s->ro[j]; m != 0; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            uint32_t i = b->base + lane, w = s->worst[i];
            ap_rights r = ap_findings__lane_rights(x, lane) & beyond_read(c->g);
            s->count[i][sens]++;
            s->more[i] |= r;
            if (w == AP_UNREACHED || sens > ap_findings__sens(c, w)
                || (sens == ap_findings__sens(c, w) && x->v < w)) {
                s->worst[i] = x->v;
                s->worst_rights[i] = r;
            }
        }
}

/* "restricted 2, internal 5" of partner index i's counts (into buf). */
static const char *readonly_counts(const readonly_state *s, uint32_t i, char *buf, size_t size,
                                   uint32_t *total)
{
    size_t used = 0;
    buf[0] = '\0';
    *total = 0;
    for (int k = AP_SENS_COUNT - 1; k >= 0; k--)
        if (s->count[i][k] > 0) {
            *total += s->count[i][k];
            used += (size_t)snprintf(buf + used, size - used, "%s%s %u", used ? ", " : "",
                                     ap_sensitivity_name((ap_sensitivity)k), s->count[i][k]);
        }
    return buf;
}

/* The chain to v, the first node of the partner's top level in reach order, when the run
 * shows a right beyond read there; else to the least id of those it has one at (the run
 * reached it too: say_reached asked for it). */
static void say_readonly(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                         uint32_t e)
{
    const ap_graph *g = c->g;
    const ap_rights beyond = beyond_read(g);
    readonly_state *s = readonly_of(c);
    int64_t i = ap_findings__partner_index(c, f->partner);
    char chain[1024], rights[512], counts[160];
    uint32_t total;
    if (s == NULL || i < 0)
        return;
    /* the run's rights are a lower bound: what it shows at v is held */
    ap_rights r = v != AP_UNREACHED ? a->rights[v] & beyond : 0;
    if (r == 0) {
        v = s->worst[i];
        r = s->worst_rights[i];
    }
    ap_findings__node(c, f, v);
    ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, v)->id);
    ap_findings__path(c, f, a, v, e);
    readonly_counts(s, (uint32_t)i, counts, sizeof counts, &total);
    ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), r, ", ", true);
    ap_findings__message(c, f, "Read-only partner %s can do more than read on %u %s (%s): it "
                         "can %s %s %s through %s.", ap_graph_node(g, f->partner)->id, total,
                         total == 1 ? "resource or workflow" : "resources and workflows", counts,
                         rights, ap_sensitivity_name(ap_findings__sens(c, v)),
                         ap_graph_node(g, v)->id, ap_findings__chain(c, f, chain, sizeof chain));
}

/* Nothing: the request only makes the partner's run reach its fallback target. */
static void say_reached(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                        uint32_t e)
{
    (void)c;
    (void)f;
    (void)a;
    (void)v;
    (void)e;
}

/* The batch's read-only partners that can do more than read somewhere, in id order. */
static void batch_readonly(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    readonly_state *s = readonly_of(c);
    if (s == NULL || !s->ro_set)
        return;                         /* no node watched in this batch */
    for (unsigned j = 0; j < b->L && c->rc == AP_OK; j++)
        for (uint64_t m = s->ro[j]; m != 0 && c->rc == AP_OK; m &= m - 1) {
            uint32_t i = b->base + j * 64 + (unsigned)__builtin_ctzll(m), total;
            char counts[160];
            if (s->worst[i] == AP_UNREACHED)
                continue;
            readonly_counts(s, i, counts, sizeof counts, &total);
            ap_finding *f = ap_findings__add(c, c->partners[i], false, c->partners[i]);
            ap_findings__fact(c, f, "tier", "read_only");
            ap_findings__fact(c, f, "targets", "%u", total);
            ap_findings__fact(c, f, "by_sensitivity", "%s", counts);
            ap_findings__rights(c, f, "beyond_read", s->more[i]);
            /* one run for both: to the first node of the top level, and to worst */
            ap_findings__chain_first(c, f, c->partners[i], false, ap_findings__pick_level,
                                     (uint32_t)((int)ap_findings__sens(c, s->worst[i]) + 1),
                                     say_readonly);
            ap_findings__chain_later(c, f, c->partners[i], s->worst[i], AP_UNREACHED, false,
                                     say_reached);
        }
    s->ro_set = false;
}

const ap_lanes_rule ap_lanes__read_only_exceeded = {
    "read-only-tier-exceeded", watch_readonly, false, node_readonly, batch_readonly, NULL
};

/* ---- Per edge: undeclared-rights, temporary-no-expiry ---- */

/* One finding per edge a rule selects that carries some partner's authority, about every such
 * partner, its chain from the first in id order (the first lane of the first batch with one),
 * from the tail's words: the edge's lanes at its tail, x. */
static void per_edge(ap_rule_ctx *c, const ap_lanes_at *x,
                     bool (*selected)(const ap_rule_ctx *, uint32_t), bool passes,
                     ap_chain_say say)
{
    const ap_graph *g = c->g;
    uint64_t on[AP_KERNEL_LMAX];
    for (uint32_t e = ap_graph_out_begin(g, x->v); e < ap_graph_out_end(g, x->v)
                                                   && c->rc == AP_OK; e++) {
        if (!selected(c, e))
            continue;
        ap_findings__edge_lanes(c, x, e, on);
        ap_finding *f = ap_findings__subject_lanes(c, x->b, on, true, e);
        if (f == NULL)
            continue;                   /* nobody crosses it, or they joined its finding */
        const ap_edge *ed = ap_graph_edge(g, e);
        ap_findings__node(c, f, ed->from);
        ap_findings__node(c, f, ed->to);
        if (passes)
            ap_findings__rights(c, f, "passes",
                                ap_edge_transfer(ed, ap_findings__lane_rights(
                                                         x, (unsigned)ap_findings__first_lane(
                                                                x->b, on))));
        ap_findings__chain_later(c, f, f->partner, ed->from, e, false, say);
    }
}

bool ap_findings__has_out(const ap_rule_ctx *c, uint32_t v,
                          bool (*selected)(const ap_rule_ctx *, uint32_t))
{
    for (uint32_t e = ap_graph_out_begin(c->g, v); e < ap_graph_out_end(c->g, v); e++)
        if (selected(c, e))
            return true;
    return false;
}

static bool undeclared_access(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return ed->kind == AP_EDGE_ACCESS && !ed->declared;
}

static void say_undeclared(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                           uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, f->subject);
    char who[1024], how[1200];
    ap_findings__path(c, f, a, v, e);
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    ap_findings__message(c, f, "Access edge %s declares no rights, so it passes every right %s "
                         "bring%s to %s (%s).", ed->id, who, f->npartners > 1 ? "" : "s",
                         ap_graph_node(c->g, ed->to)->id, how);
}

static bool watch_undeclared(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__has_out(c, v, undeclared_access);
}

static void node_undeclared(ap_rule_ctx *c, const ap_lanes_at *x)
{
    per_edge(c, x, undeclared_access, true, say_undeclared);
}

const ap_lanes_rule ap_lanes__undeclared_rights = {
    "undeclared-rights", watch_undeclared, false, node_undeclared, NULL, NULL
};

static bool temporary(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->expires == AP_TIME_NONE
           && ap_findings__edge_flag(c, e, "temporary", false);
}

static void say_temporary(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                          uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, f->subject);
    char who[1024], how[1200], whose[1100];
    ap_findings__path(c, f, a, v, e);
    ap_findings__fact(c, f, "temporary", "true");
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    snprintf(whose, sizeof whose, f->npartners > 1 ? "the authority of %s" : "%s's authority",
             who);
    ap_findings__message(c, f, "Temporary %s edge %s carries %s to %s (%s) but has no expiry.",
                         ap_edge_kind_name(ed->kind), ed->id, whose,
                         ap_graph_node(c->g, ed->to)->id, how);
}

static bool watch_temporary(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__has_out(c, v, temporary);
}

static void node_temporary(ap_rule_ctx *c, const ap_lanes_at *x)
{
    per_edge(c, x, temporary, false, say_temporary);
}

const ap_lanes_rule ap_lanes__temporary_no_expiry = {
    "temporary-no-expiry", watch_temporary, false, node_temporary, NULL, NULL
};

/* ---- sensitive-workflow ---- */

/* What partners can do to a sensitive workflow, as bits: trigger, execute, approve. */
enum { CAN_TRIGGER = 1, CAN_EXECUTE = 2, CAN_APPROVE = 4 };

/* Per sensitive workflow (a slot each), what the batch's lanes can do to it, gathered at the
 * workflow (execute, approve) and at the tails of the triggers edges into it. */
typedef struct {
    uint32_t *slot;             /* per node: 1 + its slot, 0: not a sensitive workflow */
    uint32_t *node;             /* per slot: its workflow */
    unsigned char *can;         /* per node: what its partners can do, CAN_* */
    uint64_t *lanes;            /* per slot, AP_KERNEL_LMAX words: the lanes that can act */
    uint64_t *trig;             /* ... of them, those that can trigger it */
    uint32_t *first_lane, *first_edge;  /* per slot: the least trigger lane, its least edge */
    uint32_t *touched, ntouched;        /* the slots of this batch */
} workflow_state;

static void free_workflows(void *p)
{
    workflow_state *s = p;
    free(s->slot);
    free(s->node);
    free(s->can);
    free(s->lanes);
    free(s->trig);
    free(s->first_lane);
    free(s->first_edge);
    free(s->touched);
    free(s);
}

static bool sensitive_workflow(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_WORKFLOW
           && ap_findings__sens(c, v) >= AP_SENS_CONFIDENTIAL;
}

static workflow_state *workflows_of(ap_rule_ctx *c)
{
    uint32_t n = ap_graph_node_count(c->g), k = 0;
    workflow_state *s = ap_findings__state(c, sizeof *s, free_workflows);
    if (s == NULL || s->slot != NULL)
        return s;
    s->slot = calloc((size_t)n + 1, sizeof *s->slot);
    s->can = calloc((size_t)n + 1, 1);
    if (s->slot == NULL || s->can == NULL)
        goto nomem;
    for (uint32_t v = 0; v < n; v++)
        if (sensitive_workflow(c, v))
            s->slot[v] = ++k;
    s->node = malloc(((size_t)k + 1) * sizeof *s->node);
    s->lanes = calloc(((size_t)k + 1) * AP_KERNEL_LMAX, sizeof *s->lanes);
    s->trig = calloc(((size_t)k + 1) * AP_KERNEL_LMAX, sizeof *s->trig);
    s->first_lane = malloc(((size_t)k + 1) * sizeof *s->first_lane);
    s->first_edge = malloc(((size_t)k + 1) * sizeof *s->first_edge);
    s->touched = malloc(((size_t)k + 1) * sizeof *s->touched);
    if (s->node == NULL || s->lanes == NULL || s->trig == NULL || s->first_lane == NULL
        || s->first_edge == NULL || s->touched == NULL)
        goto nomem;
    for (uint32_t v = 0; v < n; v++)
        if (s->slot[v] != 0)
            s->node[s->slot[v] - 1] = v;
    for (uint32_t i = 0; i <= k; i++)
        s->first_lane[i] = AP_UNREACHED;
    return s;
nomem:
    free(s->slot);
    s->slot = NULL;
    c->rc = ap_error_nomem(c->err);
    return NULL;
}

static bool triggers_sensitive(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return ed->kind == AP_EDGE_TRIGGERS && sensitive_workflow(c, ed->to);
}

static bool watch_workflow(const ap_rule_ctx *c, uint32_t v)
{
    return sensitive_workflow(c, v) || ap_findings__has_out(c, v, triggers_sensitive);
}

/* Lanes `on` can do `can` to workflow w; trigger edge e (AP_UNREACHED: none). */
static void workflow_lanes(workflow_state *s, const ap_kernel_batch *b, uint32_t w,
                           const uint64_t *on, unsigned can, uint32_t e)
{
    uint32_t k = s->slot[w] - 1;
    uint64_t *lanes = s->lanes + (size_t)k * AP_KERNEL_LMAX;
    bool fresh = !any_lane(b, lanes);
    for (unsigned j = 0; j < b->L; j++)
        lanes[j] |= on[j];
    if (fresh)
        s->touched[s->ntouched++] = k;
    s->can[w] |= (unsigned char)can;
    if (e == AP_UNREACHED)
        return;
    uint32_t first = (uint32_t)ap_findings__first_lane(b, on);
    for (unsigned j = 0; j < b->L; j++)
        s->trig[(size_t)k * AP_KERNEL_LMAX + j] |= on[j];
    if (first < s->first_lane[k] || (first == s->first_lane[k] && e < s->first_edge[k])) {
        s->first_lane[k] = first;
        s->first_edge[k] = e;
    }
}

static void node_workflow(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    const ap_kernel_batch *b = x->b;
    workflow_state *s = workflows_of(c);
    uint64_t ex[AP_KERNEL_LMAX], ok[AP_KERNEL_LMAX];
    if (s == NULL)
        return;
    if (s->slot[x->v] != 0) {
        ap_findings__lanes_with(x, (ap_rights)1 << AP_R_EXECUTE, ex);
        ap_findings__lanes_with(x, (ap_rights)1 << AP_R_APPROVE, ok);
        unsigned can = (any_lane(b, ex) ? CAN_EXECUTE : 0) | (any_lane(b, ok) ? CAN_APPROVE : 0);
        for (unsigned j = 0; j < b->L; j++)
            ex[j] |= ok[j];
        if (can != 0)
            workflow_lanes(s, b, x->v, ex, can, AP_UNREACHED);
    }
    for (uint32_t e = ap_graph_out_begin(g, x->v); e < ap_graph_out_end(g, x->v); e++) {
        if (!triggers_sensitive(c, e))
            continue;
        ap_findings__edge_lanes(c, x, e, ex);
        if (any_lane(b, ex))
            workflow_lanes(s, b, ap_graph_edge(g, e)->to, ex, CAN_TRIGGER, e);
    }
}

static void add_word(char *buf, size_t size, const char *word)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", word);
}

static void say_workflow(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                         uint32_t e)
{
    const ap_graph *g = c->g;
    workflow_state *s = workflows_of(c);
    uint32_t w = f->subject;
    char how[64] = "", who[512], chain[1024];
    ap_findings__path(c, f, a, v, e);
    if (s == NULL)
        return;
    ap_sensitivity sens = ap_findings__sens(c, w);
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
    ap_findings__message(c, f, "Partner%s %s can %s %s workflow %s %s%s%s.", many ? "s" : "",
                         who, how, ap_sensitivity_name(sens), ap_graph_node(g, w)->id,
                         many ? "(for example through " : "through ",
                         ap_findings__chain(c, f, chain, sizeof chain), many ? ")" : "");
}

/* One finding per sensitive workflow, listing every partner that can start or approve it; the
 * chain is the first partner's in id order: over its first trigger edge (edge order) when it
 * can trigger it, else to the workflow. */
static void batch_workflow(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    workflow_state *s = workflows_of(c);
    if (s == NULL)
        return;
    for (uint32_t t = 0; t < s->ntouched; t++) {
        uint32_t k = s->touched[t], w = s->node[k];
        uint64_t *lanes = s->lanes + (size_t)k * AP_KERNEL_LMAX;
        uint64_t *trig = s->trig + (size_t)k * AP_KERNEL_LMAX;
        ap_finding *f = c->rc == AP_OK ? ap_findings__subject_lanes(c, b, lanes, false, w)
                                       : NULL;
        if (f != NULL) {
            uint32_t e = has_lane(trig, ap_findings__first_lane(b, lanes)) ? s->first_edge[k]
                                                                           : AP_UNREACHED;
            ap_findings__chain_later(c, f, f->partner,
                                     e != AP_UNREACHED ? ap_graph_edge(c->g, e)->from : w, e,
                                     false, say_workflow);
        }
        memset(lanes, 0, AP_KERNEL_LMAX * sizeof *lanes);
        memset(trig, 0, AP_KERNEL_LMAX * sizeof *trig);
        s->first_lane[k] = AP_UNREACHED;
    }
    s->ntouched = 0;
}

const ap_lanes_rule ap_lanes__sensitive_workflow = {
    "sensitive-workflow", watch_workflow, false, node_workflow, batch_workflow, NULL
};
