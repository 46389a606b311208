/* query/findings/drift.c: observed use against approved authority, both ways: use no chain
 * carries, rights never used in the window, denied attempts; and last_used from the events. */
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"
#include "findings_internal.h"

bool ap_findings__last_used(const ap_rule_ctx *c, uint32_t v, int64_t *out)
{
    int64_t attr, seen;
    bool has_attr = ap_findings__attr_time(c, ap_graph_node(c->g, v)->attrs, "last_used", &attr);
    bool has_seen = c->usage != NULL
                    && ap_usage_last_used(c->usage, ap_graph_node(c->g, v)->id, &seen);
    if (!has_attr && !has_seen)
        return false;
    *out = has_attr && (!has_seen || attr > seen) ? attr : seen;
    return true;
}

static bool observed(const ap_rule_ctx *c)
{
    return c->usage != NULL && ap_usage_any(c->usage);
}

/* The most sensitive node standing for a target (AP_SENS_NONE: none). */
static ap_sensitivity target_sensitivity(const ap_graph *g, const char *target)
{
    ap_sensitivity s = AP_SENS_NONE;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if ((nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
            && nd->sensitivity > s && ap_usage_covers(nd->id, target))
            s = nd->sensitivity;
    }
    return s;
}

static void evidence(ap_rule_ctx *c, ap_finding *f, const ap_use *u)
{
    ap_findings__fact(c, f, "actor", "%s", u->actor);
    ap_findings__fact(c, f, "target", "%s", u->target);
    ap_findings__fact(c, f, "action", "%s", u->action);
    ap_findings__rights(c, f, "rights", u->rights);
    ap_findings__fact(c, f, "events", "%llu", (unsigned long long)u->count);
    ap_findings__date(c, f, "first", u->first);
    ap_findings__date(c, f, "last", u->last);
    ap_findings__fact(c, f, "event", "%s:%u%s%s", u->file, u->line,
                      u->event_id[0] != '\0' ? " " : "", u->event_id);
    /* who was behind the actor's session (a role says which role, not who) */
    if (u->source_identity != NULL && u->nsource_identities > 1)
        ap_findings__fact(c, f, "source_identity", "%s and %zu other%s", u->source_identity,
                          u->nsource_identities - 1, u->nsource_identities > 2 ? "s" : "");
    else if (u->source_identity != NULL)
        ap_findings__fact(c, f, "source_identity", "%s", u->source_identity);
}

static const ap_authority *rule_authority(void *ctx, uint32_t v)
{
    return ap_findings__authority(ctx, v);
}

/* u's groups as a fact: "group:a, group:b" (into buf). */
static const char *group_list(const ap_use *u, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < u->ngroups && len + 1 < size; i++) {
        int k = snprintf(buf + len, size - len, "%s%s", i > 0 ? ", " : "", u->groups[i]);
        len = k < 0 ? size : len + (size_t)k;
    }
    return buf;
}

/* Use (ok) or attempts (!ok) of partner p's actors that no chain carries: none of the actor's
 * own, none of a group it acted with. A use a grant to everyone's group alone carries is
 * reported too, saying so: a grant to every authenticated user is none to the partner. */
static int not_granted(ap_rule_ctx *c, uint32_t p, bool ok)
{
    const ap_graph *g = c->g;
    for (size_t k = 0; k < ap_usage_count(c->usage); k++) {
        /* p's authority, again after the carrier's: the cache of them is bounded */
        const ap_authority *a = ap_findings__authority(c, p);
        const ap_use *u = ap_usage_get(c->usage, k);
        int64_t actor, by;
        bool reached, everyone;
        ap_finding *f;
        char rights[256], groups[1024], through[64], tail[700];
        if (a == NULL)
            return c->rc;
        if (u->ok != ok || !ap_usage_acts_as(g, a, u))
            continue;
        if ((by = ap_usage_carrier(g, u, rule_authority, c)) == -2)
            return c->rc < 0 ? c->rc : (c->rc = ap_error_nomem(c->err));
        if ((a = ap_findings__authority(c, p)) == NULL)
            return c->rc;
        everyone = by >= 0 && ap_usage_everyone(ap_graph_node(g, (uint32_t)by)->id);
        if (by >= 0 && (!ok || !everyone))
            continue;
        /* the actor, when the partner reaches it; else the use is the partner's through a
         * group it acted with that the partner is */
        actor = u->actor_known ? ap_graph_find(g, u->actor) : -1;
        reached = actor >= 0 && ((uint32_t)actor == p || a->hops[actor] != AP_UNREACHED);
        f = ap_findings__add(c, p, false, reached ? (uint32_t)actor : p);
        if (f == NULL)
            return c->rc;
        if (ok && f->severity == c->rule->severity
            && target_sensitivity(g, u->target) >= AP_SENS_RESTRICTED)
            f->severity = AP_SEV_CRITICAL;
        evidence(c, f, u);
        if (u->ngroups > 0)
            ap_findings__fact(c, f, "groups", "%s", group_list(u, groups, sizeof groups));
        if (!reached)
            ap_findings__fact(c, f, "through_group", "%s", ap_graph_node(g, p)->id);
        if (everyone)
            ap_findings__fact(c, f, "granted_to_everyone", "%s",
                              ap_graph_node(g, (uint32_t)by)->id);
        if (reached && (uint32_t)actor != p)
            ap_findings__path(c, f, a, (uint32_t)actor, AP_UNREACHED);
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), u->rights, ", ", false);
        through[0] = '\0';
        if (!reached)
            snprintf(through, sizeof through, " as a member of a group that is the partner");
        if (everyone)
            snprintf(tail, sizeof tail, "but the grant to %s, which every %s user is in: "
                     "a grant to everyone, none to the partner",
                     ap_graph_node(g, (uint32_t)by)->id,
                     strcmp(ap_graph_node(g, (uint32_t)by)->id,
                            "group:system:unauthenticated") == 0 ? "anonymous"
                                                                 : "authenticated");
        else
            snprintf(tail, sizeof tail, "%s", u->ngroups > 0 ? ", to it or to any group "
                     "it acted with" : "");
        ap_findings__message(c, f, "%s, acting for partner %s%s, %s %s on %s %llu time%s "
                             "(%s, first at %s:%u) but no chain in the inventory carries "
                             "%s there%s%s.", u->actor, ap_graph_node(g, p)->id, through,
                             ok ? "used" : "was denied", u->action, u->target,
                             (unsigned long long)u->count, u->count == 1 ? "" : "s",
                             rights, u->file, u->line, rights, everyone ? " " : "", tail);
    }
    return c->rc;
}

/* ---- On the kernel: the partners with observed use, then one run each ----
 *
 * These rules compare the events with what each partner's chains carry, target by target: they
 * need the whole authority of each partner some event is attributed to. The kernel says which
 * partners those are (those reaching an actor of the events, the actors themselves, the groups
 * the actors acted with); each of them then gets one single-source run (ap_findings__authority,
 * in the finish hook). They are few: nothing is done per partner no event names. */

/* Is node v the actor of some use of the window (the uses are sorted by actor), or did it act
 * before it (ap_usage_last_used)? */
static bool an_actor(const ap_rule_ctx *c, uint32_t v)
{
    const char *id = ap_graph_node(c->g, v)->id;
    size_t lo = 0, hi = ap_usage_count(c->usage);
    int64_t t;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = strcmp(ap_usage_get(c->usage, mid)->actor, id);
        if (k == 0)
            return true;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return ap_usage_last_used(c->usage, id, &t);
}

static bool watch_actor(const ap_rule_ctx *c, uint32_t v)
{
    return observed(c) && an_actor(c, v);
}

typedef struct {
    uint64_t *bits;
} acting_state;

static void acting_free(void *p)
{
    acting_state *s = p;
    free(s->bits);
    free(s);
}

/* The running rule's bits, one per partner index: some event is attributed to it. */
static uint64_t *acting(ap_rule_ctx *c)
{
    acting_state *s = ap_findings__state(c, sizeof *s, acting_free);
    if (s != NULL && s->bits == NULL
        && (s->bits = calloc((size_t)c->npartners / 64 + 1, sizeof *s->bits)) == NULL)
        c->rc = ap_error_nomem(c->err);
    return s != NULL ? s->bits : NULL;
}

/* Actor x->v: the lanes reaching it act as it (a batch starts at a multiple of 64 lanes). */
static void node_actor(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_kernel_batch *b = x->b;
    uint64_t *bits = acting(c);
    for (unsigned j = 0; bits != NULL && j < (b->nb + 63) / 64; j++)
        bits[b->base / 64 + j] |= x->w[(size_t)b->K * b->L + j];
}

/* Add the partners that are actors themselves, or groups an actor acted with; then call
 * each(c, p) for every partner with a bit, in id order. */
static int each_acting(ap_rule_ctx *c, int (*each)(ap_rule_ctx *c, uint32_t p))
{
    const ap_graph *g = c->g;
    if (!observed(c))
        return AP_OK;
    uint64_t *bits = acting(c);
    if (bits == NULL)
        return c->rc;
    for (uint32_t i = 0; i < c->npartners; i++)
        if (an_actor(c, c->partners[i]))
            bits[i / 64] |= (uint64_t)1 << (i % 64);
    for (size_t k = 0; k < ap_usage_count(c->usage); k++) {
        const ap_use *u = ap_usage_get(c->usage, k);
        for (size_t j = 0; j < u->ngroups; j++) {
            int64_t v = ap_graph_find(g, u->groups[j]);
            int64_t i = v >= 0 ? ap_findings__partner_index(c, (uint32_t)v) : -1;
            if (i >= 0)
                bits[i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++)
        if (bits[i / 64] >> (i % 64) & 1 && each(c, c->partners[i]) < 0)
            break;
    return c->rc;
}

static int used_not_granted(ap_rule_ctx *c, uint32_t p)
{
    return not_granted(c, p, true);
}

static int tried_not_granted(ap_rule_ctx *c, uint32_t p)
{
    return not_granted(c, p, false);
}

static int finish_usage_not_granted(ap_rule_ctx *c)
{
    return each_acting(c, used_not_granted);
}

static int finish_attempted_not_granted(ap_rule_ctx *c)
{
    return each_acting(c, tried_not_granted);
}

/* Rights partner p's chains carry to a resource or workflow that no event of its actors used
 * in the window. */
static int never_used(ap_rule_ctx *c, uint32_t p)
{
    const ap_graph *g = c->g;
    const ap_authority *a = ap_findings__authority(c, p);
    ap_observed *o;
    size_t n;
    if (a == NULL)
        return c->rc;
    if ((c->rc = ap_usage_observed(&o, &n, g, a, c->usage, c->err)) < 0)
        return c->rc;
    for (size_t k = 0; k < n; k++) {
        ap_rights unused = o[k].granted & ~o[k].used;
        char u[256], d1[32], d2[32], chain[1024];
        ap_finding *f;
        if (unused == 0)
            continue;
        if ((f = ap_findings__add(c, p, false, o[k].node)) == NULL)
            break;
        ap_findings__rights(c, f, "unused", unused);
        ap_findings__rights(c, f, "used", o[k].used);
        ap_findings__date(c, f, "since", ap_usage_since(c->usage));
        if (o[k].last != AP_TIME_NONE)
            ap_findings__date(c, f, "last_used", o[k].last);
        ap_findings__path(c, f, a, o[k].node, AP_UNREACHED);
        ap_rights_format(u, sizeof u, ap_graph_vocab(g), unused, ", ", false);
        ap_findings__date_text(d1, sizeof d1, ap_usage_since(c->usage));
        ap_findings__date_text(d2, sizeof d2, ap_usage_until(c->usage));
        ap_findings__message(c, f, "Partner %s holds %s on %s through %s, unused from %s to %s.",
                             ap_graph_node(g, p)->id, u, ap_graph_node(g, o[k].node)->id,
                             ap_findings__chain(c, f, chain, sizeof chain), d1, d2);
    }
    free(o);
    return c->rc;
}

static int finish_granted_never_used(ap_rule_ctx *c)
{
    return each_acting(c, never_used);
}

const ap_lanes_rule ap_lanes__usage_not_granted = {
    "usage-not-granted", watch_actor, false, node_actor, NULL, finish_usage_not_granted
};
const ap_lanes_rule ap_lanes__granted_never_used = {
    "granted-never-used", watch_actor, false, node_actor, NULL, finish_granted_never_used
};
const ap_lanes_rule ap_lanes__attempted_not_granted = {
    "attempted-not-granted", watch_actor, false, node_actor, NULL, finish_attempted_not_granted
};
