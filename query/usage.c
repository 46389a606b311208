/* query/usage.c: observed use against the inventory: is an event carried by some chain, which
 * events a partner's chains account for, and what of each reached target was used. */
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"

/* Does authority a hold every right u used on some node standing for u's target? */
static bool holds(const ap_graph *g, const ap_authority *a, const ap_use *u)
{
    ap_rights held = 0;
    /* the rights of every node standing for the target, together */
    for (uint32_t k = 0; k < a->nreach && (held & u->rights) != u->rights; k++) {
        uint32_t v = a->reach[k];
        if (ap_usage_covers(ap_graph_node(g, v)->id, u->target))
            held |= a->rights[v];
    }
    return (held & u->rights) == u->rights;
}

bool ap_usage_everyone(const char *node_id)
{
    return strcmp(node_id, "group:system:authenticated") == 0
           || strcmp(node_id, "group:system:unauthenticated") == 0;
}

int64_t ap_usage_carrier(const ap_graph *g, const ap_use *u, ap_usage_authority_fn auth,
                         void *ctx)
{
    /* the actor first, then its groups in their stored order (the everyone groups last) */
    for (size_t i = 0; i <= u->ngroups; i++) {
        const char *id = i == 0 ? (u->actor_known ? u->actor : NULL) : u->groups[i - 1];
        int64_t v = id != NULL ? ap_graph_find(g, id) : -1;
        const ap_authority *a;
        ap_authority *own = NULL;
        ap_error err;
        bool yes;
        if (v < 0)
            continue;
        if (auth != NULL)
            a = auth(ctx, (uint32_t)v);
        else
            a = ap_authority_compute(&own, g, (uint32_t)v, &err) < 0 ? NULL : own;
        if (a == NULL)
            return -2;
        yes = holds(g, a, u);
        ap_authority_free(own);
        if (yes)
            return v;
    }
    return -1;
}

typedef struct {
    const ap_graph *g;
    const ap_authority *a;      /* the caller's authority of the actor, or NULL */
    ap_authority *own;          /* the last one computed here */
} carried_ctx;

static const ap_authority *carried_auth(void *ctx, uint32_t v)
{
    carried_ctx *c = ctx;
    ap_error err;
    if (c->a != NULL && c->a->source == v)
        return c->a;
    ap_authority_free(c->own);
    c->own = NULL;
    return ap_authority_compute(&c->own, c->g, v, &err) < 0 ? NULL : c->own;
}

bool ap_usage_carried(const ap_graph *g, const ap_authority *a, const ap_use *u)
{
    carried_ctx c = { g, a, NULL };
    int64_t v = ap_usage_carrier(g, u, carried_auth, &c);
    ap_authority_free(c.own);
    return v >= 0;
}

bool ap_usage_acts_as(const ap_graph *g, const ap_authority *a, const ap_use *u)
{
    int64_t v;
    for (size_t i = 0; i < u->ngroups; i++)
        if (strcmp(u->groups[i], ap_graph_node(g, a->source)->id) == 0)
            return true;
    if (!u->actor_known || (v = ap_graph_find(g, u->actor)) < 0)
        return false;
    return (uint32_t)v == a->source || a->hops[v] != AP_UNREACHED;
}

int ap_usage_observed(ap_observed **out, size_t *n, const ap_graph *g, const ap_authority *a,
                      const ap_usage *u, ap_error *err)
{
    ap_observed *o = malloc(((size_t)a->nreach + 1) * sizeof *o);
    size_t m = 0;
    *out = NULL;
    *n = 0;
    if (o == NULL)
        return ap_error_nomem(err);
    for (uint32_t k = 0; k < a->nreach; k++) {
        uint32_t v = a->reach[k];
        const ap_node *nd = ap_graph_node(g, v);
        ap_observed *x;
        if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
            continue;
        x = &o[m++];
        x->node = v;
        x->granted = a->rights[v];
        x->used = 0;
        x->events = 0;
        x->first = x->last = AP_TIME_NONE;
        for (size_t i = 0; i < ap_usage_count(u); i++) {
            const ap_use *e = ap_usage_get(u, i);
            if (!e->ok || !ap_usage_covers(nd->id, e->target) || !ap_usage_acts_as(g, a, e))
                continue;
            /* a sign-in (no rights) says a token was issued for the target, not what it
             * did there: any right granted may have been used */
            x->used |= e->rights != 0 ? e->rights : x->granted;
            x->events += e->count;
            if (x->first == AP_TIME_NONE || e->first < x->first)
                x->first = e->first;
            if (x->last == AP_TIME_NONE || e->last > x->last)
                x->last = e->last;
        }
    }
    *out = o;
    *n = m;
    return AP_OK;
}
