/* query/narrow.c: what-if --narrow-to-observed. Takes away, edge by edge, the rights a
 * partner's chains carry and nobody used, keeping each step only if every observed use still has
 * a chain. */
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"

typedef struct {
    uint32_t edge;
    ap_rights after;
} step;

typedef struct {
    const ap_graph *g;
    const ap_usage *u;
    const ap_use **protect;     /* the successful uses a chain carries on g */
    size_t nprotect;
    step *steps;                /* accepted, in edge order */
    size_t nsteps;
    uint32_t *remove;
    ap_edge_spec *add;
    /* per node: 1 a kept use's actor or group reaches it (or is it), 2 it can reach a node
     * standing for a kept use's target; NULL: every step is tried */
    unsigned char *matters;
    ap_error *err;
} narrow_ctx;

/* g with the accepted steps (and one more when extra is not NULL) applied. */
static int apply(narrow_ctx *c, const step *extra, ap_graph **out)
{
    size_t n = c->nsteps + (extra != NULL), nadd = 0;
    ap_graph_edit ed;
    for (size_t i = 0; i < n; i++) {
        const step *s = i < c->nsteps ? &c->steps[i] : extra;
        const ap_edge *e = ap_graph_edge(c->g, s->edge);
        c->remove[i] = s->edge;
        if (s->after == 0)
            continue;
        memset(&c->add[nadd], 0, sizeof c->add[nadd]);
        c->add[nadd].id = e->id;
        c->add[nadd].from = e->from;
        c->add[nadd].to = e->to;
        c->add[nadd].kind = (ap_edge_kind)e->kind;
        c->add[nadd].rights = s->after;
        c->add[nadd].requires = e->requires;
        c->add[nadd].escalates = e->escalates;
        c->add[nadd].declared = true;
        c->add[nadd].expires = e->expires;
        nadd++;
    }
    memset(&ed, 0, sizeof ed);
    ed.remove = c->remove;
    ed.nremove = n;
    ed.add = c->add;
    ed.nadd = nadd;
    return ap_graph_derive(out, c->g, &ed, c->err);
}

/* The first protected use g2 no longer carries, or NULL. */
static const ap_use *first_broken(narrow_ctx *c, const ap_graph *g2)
{
    ap_authority *a = NULL;
    const char *actor = NULL;
    const ap_use *broken = NULL;
    for (size_t i = 0; i < c->nprotect && broken == NULL; i++) {
        const ap_use *x = c->protect[i];
        if (actor == NULL || strcmp(actor, x->actor) != 0) {
            int64_t v = ap_graph_find(g2, x->actor);
            ap_error e;
            ap_authority_free(a);
            a = NULL;
            actor = x->actor;
            /* an actor not in g2 may still act with groups that are */
            if (v >= 0 && ap_authority_compute(&a, g2, (uint32_t)v, &e) < 0) {
                broken = x;
                break;
            }
        }
        if (!ap_usage_carried(g2, a, x))
            broken = x;
    }
    ap_authority_free(a);
    return broken;
}

/* Try one step: kept (1) when nothing breaks, else 0 and *why the use it breaks. */
static int attempt(narrow_ctx *c, const step *s, const ap_use **why)
{
    ap_graph *g2 = NULL;
    int rc;
    *why = NULL;
    const ap_edge *e = ap_graph_edge(c->g, s->edge);
    /* no use to break, or none whose authority the edge can change (narrowing only takes
     * away: what a source reaches after it, it reached before; and a target's rights are
     * decided by the nodes that can reach it): no graph to derive (a hub's 50,000 edges were
     * 50,000 derivations of the whole graph, 41 CPU-s) */
    if (c->nprotect == 0
        || (c->matters != NULL && !((c->matters[e->from] & 1) && (c->matters[e->to] & 2)))) {
        c->steps[c->nsteps++] = *s;
        return 1;
    }
    rc = apply(c, s, &g2);
    if (rc < 0)
        return rc;
    *why = first_broken(c, g2);
    ap_graph_free(g2);
    if (*why != NULL)
        return 0;
    c->steps[c->nsteps++] = *s;
    return 1;
}

static int64_t score(const ap_graph *g, const ap_authority *a, const ap_weights *w)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < a->nreach; i++)
        s += ap_blast_node_score(g, a->reach[i], a->rights[a->reach[i]], w);
    return s;
}

static int keep_note(ap_narrow *n, uint32_t node, ap_rights r, const ap_use *why, uint32_t e)
{
    ap_narrow_kept *p = realloc(n->kept, (n->nkept + 1) * sizeof *p);
    if (p == NULL)
        return AP_ENOMEM;
    n->kept = p;
    p[n->nkept++] = (ap_narrow_kept){ node, r, why, e };
    return AP_OK;
}

/* Work beyond which the nodes that matter are not worked out: every step is tried instead. */
#define MATTERS_BUDGET 50000000u

/* c->matters for the kept uses: what their actors and groups reach (bit 1), and what can reach
 * a node standing for one of their targets (bit 2, over every edge in reverse). Left NULL when
 * memory runs short or the work would pass MATTERS_BUDGET: then every step is tried. */
static int find_matters(narrow_ctx *c)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), *queue = NULL, nq = 0, *reached = NULL, nr = 0;
    unsigned char *m = calloc((size_t)n + 1, 1);
    uint64_t work = 0;
    int rc = AP_OK;
    if (m == NULL || (queue = malloc(((size_t)n + 1) * sizeof *queue)) == NULL
        || (reached = malloc(((size_t)n + 1) * sizeof *reached)) == NULL)
        goto give_up;
    for (size_t i = 0; i < c->nprotect; i++) {      /* sources: bit 4 once computed */
        const ap_use *x = c->protect[i];
        for (size_t k = 0; k <= x->ngroups; k++) {
            const char *id = k == 0 ? (x->actor_known ? x->actor : NULL) : x->groups[k - 1];
            int64_t v = id != NULL ? ap_graph_find(g, id) : -1;
            ap_authority *a = NULL;
            if (v < 0 || (m[v] & 4))
                continue;
            if ((rc = ap_authority_compute(&a, g, (uint32_t)v, c->err)) < 0)
                goto done;
            m[v] |= 4 | 1;
            reached[nr++] = (uint32_t)v;
            for (uint32_t r = 0; r < a->nreach; r++) {
                if (!(m[a->reach[r]] & 1))
                    reached[nr++] = a->reach[r];
                m[a->reach[r]] |= 1;
            }
            work += a->nreach;
            ap_authority_free(a);
        }
    }
    /* targets: the reached nodes that stand for a kept use's target */
    for (size_t i = 0; i < c->nprotect; i++) {
        if (i > 0 && strcmp(c->protect[i]->target, c->protect[i - 1]->target) == 0)
            continue;
        if ((work += nr) > MATTERS_BUDGET)
            goto give_up;
        for (uint32_t r = 0; r < nr; r++)
            if (!(m[reached[r]] & 2)
                && ap_usage_covers(ap_graph_node(g, reached[r])->id, c->protect[i]->target)) {
                m[reached[r]] |= 2;
                queue[nq++] = reached[r];
            }
    }
    /* and what can reach them */
    for (uint32_t h = 0; h < nq; h++) {
        uint32_t v = queue[h];
        for (uint32_t k = ap_graph_in_begin(g, v); k < ap_graph_in_end(g, v); k++) {
            uint32_t t = ap_graph_edge(g, ap_graph_in_edge(g, k))->from;
            if (!(m[t] & 2)) {
                m[t] |= 2;
                queue[nq++] = t;
            }
        }
    }
    c->matters = m;
    m = NULL;
    goto done;
give_up:
    free(m);
    m = NULL;
done:
    free(m);
    free(queue);
    free(reached);
    return rc;
}

int ap_narrow_compute(ap_narrow **out, const ap_graph *g, uint32_t partner,
                      const ap_usage *u, const ap_weights *wt, ap_error *err)
{
    narrow_ctx c;
    ap_narrow *n = calloc(1, sizeof *n);
    ap_authority *a = NULL, *after = NULL, *own = NULL;
    ap_observed *obs = NULL, *obs2 = NULL;
    ap_rights *unused = NULL;
    ap_weights dflt;
    size_t nobs = 0, nobs2 = 0;
    uint32_t m = ap_graph_edge_count(g);
    int rc;
    *out = NULL;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.u = u;
    c.err = err;
    if (wt == NULL) {
        ap_weights_default(&dflt);
        wt = &dflt;
    }
    if (n == NULL
        || (c.protect = malloc((ap_usage_count(u) + 1) * sizeof *c.protect)) == NULL
        || (c.steps = malloc(((size_t)m + 1) * sizeof *c.steps)) == NULL
        || (c.remove = malloc(((size_t)m + 1) * sizeof *c.remove)) == NULL
        || (c.add = malloc(((size_t)m + 1) * sizeof *c.add)) == NULL
        || (unused = calloc((size_t)ap_graph_node_count(g) + 1, sizeof *unused)) == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    n->partner = partner;
    /* the uses to keep working: every successful one a chain carries now */
    for (size_t i = 0; i < ap_usage_count(u); i++) {
        const ap_use *x = ap_usage_get(u, i);
        int64_t v;
        if (!x->ok)
            continue;
        if (own == NULL || strcmp(ap_graph_node(g, own->source)->id, x->actor) != 0) {
            ap_authority_free(own);
            own = NULL;
            if ((v = x->actor_known ? ap_graph_find(g, x->actor) : -1) >= 0
                && (rc = ap_authority_compute(&own, g, (uint32_t)v, err)) < 0)
                goto done;
        }
        if (ap_usage_carried(g, own, x))
            c.protect[c.nprotect++] = x;
        else
            n->uses_uncarried++;
    }
    n->uses = c.nprotect;
    if (c.nprotect > 0 && (rc = find_matters(&c)) < 0)
        goto done;
    if ((rc = ap_authority_compute(&a, g, partner, err)) < 0
        || (rc = ap_usage_observed(&obs, &nobs, g, a, u, err)) < 0)
        goto done;
    for (size_t k = 0; k < nobs; k++)
        unused[obs[k].node] = obs[k].granted & ~obs[k].used;
    /* access edges the partner's chains cross into a target with unused rights, in edge order
     * (other kinds pass on what their source holds: narrowing them is narrowing the grant) */
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        ap_rights cut = ed->rights & unused[ed->to];
        const ap_use *why = NULL;
        step s;
        if (cut == 0 || ed->kind != AP_EDGE_ACCESS || ed->escalates
            || (ed->from != partner && a->hops[ed->from] == AP_UNREACHED))
            continue;
        s.edge = e;
        s.after = ed->rights & ~cut;
        if ((rc = attempt(&c, &s, &why)) < 0)
            goto done;
        if (rc == 1)
            continue;
        /* not all at once: right by right, each kept when nothing breaks */
        for (int bit = 0; bit < AP_MAX_RIGHTS; bit++) {
            ap_rights b = (ap_rights)1 << bit;
            const ap_use *w2 = NULL;
            ap_rights cur = ed->rights;
            if (!(cut & b))
                continue;
            /* steps are in edge order, one an edge: e's earlier one, if any, is the last;
             * replaced by the further one */
            if (c.nsteps > 0 && c.steps[c.nsteps - 1].edge == e)
                cur = c.steps[--c.nsteps].after;
            s.after = cur & ~b;
            if ((rc = attempt(&c, &s, &w2)) < 0)
                goto done;
            if (rc == 0) {
                if (cur != ed->rights) {        /* put back the earlier step */
                    c.steps[c.nsteps].edge = e;
                    c.steps[c.nsteps++].after = cur;
                }
                if ((rc = keep_note(n, ed->to, b, w2, e)) < 0) {
                    rc = ap_error_nomem(err);
                    goto done;
                }
            }
        }
    }
    /* the changed graph, checked once more as a whole */
    if ((rc = apply(&c, NULL, &n->narrowed)) < 0)
        goto done;
    n->uses_still = c.nprotect;
    if (first_broken(&c, n->narrowed) != NULL) {
        rc = ap_error_set(err, AP_EBUG, "the narrowing breaks an observed use it was checked "
                          "against");
        goto done;
    }
    if ((n->changes = malloc((c.nsteps + 1) * sizeof *n->changes)) == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < c.nsteps; i++) {    /* edge order, as they were taken */
        uint32_t e = c.steps[i].edge;
        ap_rights before = ap_graph_edge(g, e)->rights;
        n->changes[n->nchanges++] = (ap_narrow_change){ e, before, c.steps[i].after };
        n->removed_total |= before & ~c.steps[i].after;
    }
    /* what is still unused afterwards, and why, in reach order */
    if ((rc = ap_authority_compute(&after, n->narrowed, partner, err)) < 0
        || (rc = ap_usage_observed(&obs2, &nobs2, n->narrowed, after, u, err)) < 0)
        goto done;
    memset(unused, 0, ((size_t)ap_graph_node_count(g) + 1) * sizeof *unused);
    for (size_t i = 0; i < n->nkept; i++)      /* now: what the notes say of each node */
        unused[n->kept[i].node] |= n->kept[i].rights;
    for (size_t k = 0; k < nobs2; k++) {
        uint32_t v = obs2[k].node;
        ap_rights left = (obs2[k].granted & ~obs2[k].used) & ~unused[v];
        if (left != 0 && keep_note(n, v, left, NULL, UINT32_MAX) < 0) {
            rc = ap_error_nomem(err);
            goto done;
        }
        unused[v] |= left;
    }
    n->score_before = score(g, a, wt);
    n->score_after = score(n->narrowed, after, wt);
    *out = n;
    n = NULL;
    rc = AP_OK;
done:
    ap_narrow_free(n);
    ap_authority_free(a);
    ap_authority_free(after);
    ap_authority_free(own);
    free(obs);
    free(obs2);
    free(unused);
    free(c.protect);
    free(c.steps);
    free(c.remove);
    free(c.add);
    free(c.matters);
    return rc;
}

void ap_narrow_free(ap_narrow *n)
{
    if (n == NULL)
        return;
    free(n->changes);
    free(n->kept);
    ap_graph_free(n->narrowed);
    free(n);
}
