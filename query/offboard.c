/* query/offboard.c: docs/design.md's offboarding simulation. The default plan applied to a derived
 * graph; residual and collateral are the engine run on it (the shared-credential choices:
 * offboard_shared.c). */
#include <stdlib.h>
#include <string.h>

#include "offboard_internal.h"

#define NONE UINT32_MAX

/* Begin an actor: its items listed, or (past max_actors) counted. */
item_sink *ap_offboard__actor_begin(loss_lists *l, const offboard_ctx *c)
{
    bool listed = c->max_actors == 0 || l->listed_actors < c->max_actors;
    l->sink = (item_sink){ listed ? l->list : NULL, l->n, 0 };
    l->before = *l->n;
    return &l->sink;
}

void ap_offboard__actor_end(loss_lists *l)
{
    l->listed_actors += *l->n > l->before;
    *l->unlisted += l->sink.counted;
    *l->unlisted_actors += l->sink.counted > 0;
}

void ap_offboard_free(ap_offboard *o)
{
    if (o == NULL)
        return;
    free(o->actors);
    free(o->plan);
    ap_query__items_free(o->residual, o->nresidual);
    ap_query__items_free(o->collateral, o->ncollateral);
    for (uint32_t i = 0; o->shared != NULL && i < o->nshared; i++) {
        free(o->shared[i].holders);
        ap_query__items_free(o->shared[i].breaks, o->shared[i].nbreaks);
        ap_query__items_free(o->shared[i].keeps, o->shared[i].nkeeps);
    }
    free(o->shared);
    for (uint32_t i = 0; o->persistence != NULL && i < o->npersistence; i++) {
        free(o->persistence[i].path);
        free(o->persistence[i].reaches);
    }
    free(o->persistence);
    free(o->targets);
    free(o->cut);
    for (uint32_t i = 0; o->chokes != NULL && i < o->nchokes; i++)
        free(o->chokes[i].targets);
    free(o->chokes);
    free(o);
}

/* ---- The plan ---- */

/* The partner, then every partner acting for it over live subcontractor_of edges, by id. */
static int find_actors(offboard_ctx *c, ap_error *err)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), *queue = malloc(((size_t)n + 1) * sizeof *queue);
    uint32_t head = 0, tail = 0;
    if (queue == NULL)
        return ap_error_nomem(err);
    queue[tail++] = c->o->partner;
    c->is_actor[c->o->partner] = true;
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (e->kind != AP_EDGE_SUBCONTRACTOR_OF || !e->live || c->is_actor[e->from]
                || ap_graph_node(g, e->from)->kind != AP_KIND_PARTNER)
                continue;
            c->is_actor[e->from] = true;
            queue[tail++] = e->from;
        }
    }
    free(queue);
    for (uint32_t v = 0; v < n; v++) {
        if (!c->is_actor[v] || v == c->o->partner)
            continue;
        if (ap_query__push(&c->o->actors, &c->o->nactors, sizeof v, &v) < 0)
            return ap_error_nomem(err);
    }
    /* the partner first: shift the others up */
    uint32_t p = c->o->partner;
    if (ap_query__push(&c->o->actors, &c->o->nactors, sizeof p, &p) < 0)
        return ap_error_nomem(err);
    memmove(c->o->actors + 1, c->o->actors, (c->o->nactors - 1) * sizeof p);
    c->o->actors[0] = p;
    return AP_OK;
}

static int add_step(offboard_ctx *c, ap_step_kind kind, uint32_t target, ap_error *err)
{
    ap_offboard_step st = { kind, target };
    if (ap_query__push(&c->o->plan, &c->o->nplan, sizeof st, &st) < 0)
        return ap_error_nomem(err);
    if (kind == AP_STEP_REMOVE_EDGE) {
        c->removed[target] = true;
        c->edge_step[target] = c->o->nplan - 1;
        if (ap_query__push(&c->rm, &c->nrm, sizeof target, &target) < 0)
            return ap_error_nomem(err);
    } else {
        c->revoked[target] = true;
        c->node_step[target] = c->o->nplan - 1;
        if (ap_query__push(&c->rv, &c->nrv, sizeof target, &target) < 0)
            return ap_error_nomem(err);
    }
    return AP_OK;
}

/* The default plan (docs/design.md): revoke every live credential P holds, remove every live
 * edge out of P, remove every subcontractor_of edge into P. */
static int make_plan(offboard_ctx *c, ap_error *err)
{
    const ap_graph *g = c->g;
    uint32_t p = c->o->partner, n = ap_graph_node_count(g);
    bool *held = calloc((size_t)n + 1, sizeof *held);
    int rc = AP_OK;
    if (held == NULL)
        return ap_error_nomem(err);
    for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->kind == AP_EDGE_HOLDS && ed->live
            && ap_graph_node(g, ed->to)->kind == AP_KIND_CREDENTIAL)
            held[ed->to] = true;
    }
    for (uint32_t v = 0; rc == AP_OK && v < n; v++)      /* by id */
        if (held[v])
            rc = add_step(c, AP_STEP_REVOKE_CREDENTIAL, v, err);
    free(held);
    for (uint32_t e = ap_graph_out_begin(g, p); rc == AP_OK && e < ap_graph_out_end(g, p); e++)
        if (ap_graph_edge(g, e)->live)
            rc = add_step(c, AP_STEP_REMOVE_EDGE, e, err);
    for (uint32_t i = ap_graph_in_begin(g, p); rc == AP_OK && i < ap_graph_in_end(g, p); i++) {
        uint32_t e = ap_graph_in_edge(g, i);
        if (ap_graph_edge(g, e)->kind == AP_EDGE_SUBCONTRACTOR_OF && !c->removed[e])
            rc = add_step(c, AP_STEP_REMOVE_EDGE, e, err);
    }
    return rc;
}

/* ---- Reach lists ---- */

/* Every non-partner node a reaches on d (by hops, then id), with paths mapped to the parent.
 * Each path extends an earlier one's where it can (ap_query__item_path_memo): partners' items
 * are made too, for the chains through them, and left out at the end. */
int ap_offboard__reach_items(ap_reach_item **list, uint32_t *n, offboard_ctx *c,
                             const ap_graph *d, const ap_authority *a, ap_error *err)
{
    ap_reach_item *all = malloc(((size_t)a->nreach + 1) * sizeof *all);
    ap_rights *full = malloc(((size_t)a->nreach + 1) * sizeof *full);
    uint32_t *memo = c->memo, made = 0;
    int rc = all != NULL && full != NULL ? AP_OK : ap_error_nomem(err);
    for (uint32_t i = 0; i < a->nreach && rc == AP_OK; i++) {
        uint32_t v = a->reach[i];
        all[made] = (ap_reach_item){ a->source, v, a->rights[v] & c->vocab, false, NONE, NULL,
                                     0, 0 };
        rc = ap_query__item_path_memo(all, made, memo, full, d, a, err);
        made++;
    }
    for (uint32_t i = 0; i < a->nreach; i++)    /* only reached nodes were marked */
        memo[a->reach[i]] = 0;
    for (uint32_t i = 0; i < made; i++) {
        if (rc == AP_OK && ap_graph_node(d, all[i].node)->kind != AP_KIND_PARTNER) {
            if (ap_query__push(list, n, sizeof all[i], &all[i]) == 0)
                continue;
            rc = ap_error_nomem(err);
        }
        free(all[i].path);
    }
    free(all);
    free(full);
    return rc;
}

/* The first plan step on a path (a removed edge, or a revoked credential it passes): the
 * least step of its edges and their heads (a scan of the plan per item made 50,000 shared
 * keys quadratic). */
static uint32_t cause_on(const offboard_ctx *c, const uint32_t *path, uint32_t npath)
{
    uint32_t first = NONE;
    for (uint32_t i = 0; i < npath; i++) {
        uint32_t by_edge = c->edge_step[path[i]];
        uint32_t by_node = c->node_step[ap_graph_edge(c->g, path[i])->to];
        if (by_edge < first)
            first = by_edge;
        if (by_node < first)
            first = by_node;
    }
    return first;
}

/* What `before` (computed on gb) holds and `after` (rights per node) does not: by hops before,
 * then id. */
int ap_offboard__lost_items(item_sink *s, offboard_ctx *c, const ap_graph *gb,
                            const ap_authority *before, const ap_rights *after, ap_error *err)
{
    ap_reach_item **list = s->list;
    uint32_t *n = s->n;
    for (uint32_t i = 0; i < before->nreach; i++) {
        uint32_t v = before->reach[i];
        ap_rights lost = before->rights[v] & ~after[v] & c->vocab;
        ap_reach_item it = { before->source, v, lost, false, NONE, NULL, 0, 0 };
        int rc;
        if (lost == 0 || ap_graph_node(gb, v)->kind == AP_KIND_PARTNER)
            continue;
        if (list == NULL) {             /* counted, no chain */
            s->counted++;
            continue;
        }
        if ((rc = ap_query__item_path(&it, gb, before, lost, true, err)) < 0)
            return rc;
        it.cause = cause_on(c, it.path, it.npath);
        if (ap_query__push(list, n, sizeof it, &it) < 0) {
            free(it.path);
            return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

/* depends_on edges of actor w whose target the plan cuts: a revoked credential (only `only`
 * when it is not NONE) or the partner itself. */
int ap_offboard__dependency_items(item_sink *s, offboard_ctx *c, uint32_t w, uint32_t only,
                                  ap_error *err)
{
    const ap_graph *g = c->g;
    ap_reach_item **list = s->list;
    uint32_t *n = s->n;
    for (uint32_t e = ap_graph_out_begin(g, w); e < ap_graph_out_end(g, w); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        bool cut = only != NONE ? ed->to == only
                                : c->revoked[ed->to] || ed->to == c->o->partner;
        if (ed->kind != AP_EDGE_DEPENDS_ON || !ed->live || !cut)
            continue;
        if (list == NULL) {
            s->counted++;
            continue;
        }
        ap_reach_item it = { w, ed->to, 0, true, NONE, NULL, 1, 0 };
        if ((it.path = malloc(sizeof *it.path)) == NULL)
            return ap_error_nomem(err);
        it.path[0] = e;
        it.cause = c->node_step[ed->to];
        if (ap_query__push(list, n, sizeof it, &it) < 0) {
            free(it.path);
            return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

/* ---- The report ---- */

/* What each actor reaches after the plan: its items, or (count_residual) their number, the
 * non-partner nodes it reaches. */
static int residual(offboard_ctx *c, const ap_graph *d, ap_error *err)
{
    int rc = AP_OK;
    for (uint32_t i = 0; rc == AP_OK && i < c->o->nactors; i++) {
        ap_authority *a = NULL;
        if ((rc = ap_authority_compute(&a, d, c->o->actors[i], err)) == AP_OK
            && !c->count_residual)
            rc = ap_offboard__reach_items(&c->o->residual, &c->o->nresidual, c, d, a, err);
        for (uint32_t k = 0; rc == AP_OK && c->count_residual && k < a->nreach; k++)
            c->o->nresidual += ap_graph_node(d, a->reach[k])->kind != AP_KIND_PARTNER;
        ap_authority_free(a);
    }
    return rc;
}

/* Keep the tails `a` holds (its source among them) as *out. */
static int keep_held(held_list *out, const offboard_ctx *c, const ap_authority *a,
                     ap_error *err)
{
    uint32_t n = c->is_tail[a->source];
    for (uint32_t i = 0; i < a->nreach; i++)
        n += c->is_tail[a->reach[i]];
    if (n == 0)
        return AP_OK;
    if ((out->node = malloc((size_t)n * sizeof *out->node)) == NULL)
        return ap_error_nomem(err);
    if (c->is_tail[a->source])
        out->node[out->n++] = a->source;
    for (uint32_t i = 0; i < a->nreach; i++)
        if (c->is_tail[a->reach[i]])
            out->node[out->n++] = a->reach[i];
    return AP_OK;
}

/* Keep actor i's whole reach after the plan (a) when it holds a tail (a choice may visit it)
 * and the budget allows: the graph after the plan and the choices' graph with nothing
 * reinstated differ only in P's holds on the credentials the plan revokes, dead with them,
 * so a choice's run of the actor after the plan holds exactly this. */
static int keep_reach(offboard_ctx *c, uint32_t i, const ap_authority *a, ap_error *err)
{
    size_t n = (size_t)a->nreach + 1;
    if (c->after[i].n == 0 || c->nkept + n > c->kept_max)
        return AP_OK;
    held_list *k = &c->kept[i];
    if ((k->node = malloc(n * sizeof *k->node)) == NULL
        || (c->kept_rights[i] = malloc(n * sizeof *c->kept_rights[i])) == NULL)
        return ap_error_nomem(err);
    k->node[0] = a->source;
    memcpy(k->node + 1, a->reach, (size_t)a->nreach * sizeof *k->node);
    for (uint32_t j = 0; j < n; j++)
        c->kept_rights[i][j] = a->rights[k->node[j]];
    k->n = (uint32_t)n;
    c->nkept += n;
    return AP_OK;
}

/* is_tail: the tails of the edges into the credentials the plan revokes (a choice asks only
 * which actors hold them after the plan). */
static int mark_tails(offboard_ctx *c, ap_error *err)
{
    const ap_graph *g = c->g;
    if ((c->is_tail = calloc((size_t)ap_graph_node_count(g) + 1, sizeof *c->is_tail)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t s = 0; s < c->nrv; s++)
        for (uint32_t i = ap_graph_in_begin(g, c->rv[s]); i < ap_graph_in_end(g, c->rv[s]); i++) {
            uint32_t u = ap_graph_edge(g, ap_graph_in_edge(g, i))->from;
            c->is_tail[u] |= u != c->rv[s];
        }
    return AP_OK;
}

static int collateral(offboard_ctx *c, const ap_graph *d, ap_error *err)
{
    int rc = AP_OK;
    loss_lists l = { .list = &c->o->collateral, .n = &c->o->ncollateral,
                     .unlisted = &c->o->collateral_unlisted,
                     .unlisted_actors = &c->o->collateral_unlisted_actors };
    /* a workspace per graph: a run costs the actor's reach, not the estate's arrays (a
     * computed authority allocates and fills them per actor) */
    ap_authority_ws *wg = NULL, *wd = NULL;
    if ((c->nrv > 0 && !c->holders_only && (rc = mark_tails(c, err)) < 0)
        || (rc = ap_query__authority_ws_new(&wg, c->g, err)) < 0
        || (rc = ap_query__authority_ws_new(&wd, d, err)) < 0) {
        ap_query__authority_ws_free(wg);
        return rc;
    }
    for (uint32_t i = 0; rc == AP_OK && i < c->nothers; i++) {
        const ap_authority *before = NULL, *after = NULL;
        item_sink *s = ap_offboard__actor_begin(&l, c);
        if (c->touches[c->others[i]]
            && (rc = ap_query__authority_run(&before, wg, c->g, c->others[i], err)) == AP_OK
            && (rc = ap_query__authority_run(&after, wd, d, c->others[i], err)) == AP_OK
            && (rc = ap_offboard__lost_items(s, c, c->g, before, after->rights, err)) == AP_OK
            && c->nrv > 0 && !c->holders_only
            && (rc = keep_held(&c->after[i], c, after, err)) == AP_OK)
            rc = keep_reach(c, i, after, err);
        if (rc == AP_OK)
            rc = ap_offboard__dependency_items(s, c, c->others[i], NONE, err);
        ap_offboard__actor_end(&l);
    }
    ap_query__authority_ws_free(wg);
    ap_query__authority_ws_free(wd);
    return rc;
}

/* touches[v]: v has a route of live traversable edges on g to the tail of an edge the plan
 * removes or to a credential it revokes (a backward search from them). Authority follows such
 * routes only, so the plan leaves the authority of every other node as it was: its before and
 * after need not be computed. */
static int find_touching(offboard_ctx *c, ap_error *err)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), *queue = malloc(((size_t)n + 1) * sizeof *queue);
    uint32_t head = 0, tail = 0;
    if (queue == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < c->nrm + c->nrv; i++) {
        uint32_t v = i < c->nrm ? ap_graph_edge(g, c->rm[i])->from : c->rv[i - c->nrm];
        if (!c->touches[v]) {
            c->touches[v] = true;
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (!e->traversable || !e->own_live || c->touches[e->from])
                continue;
            c->touches[e->from] = true;
            queue[tail++] = e->from;
        }
    }
    free(queue);
    return AP_OK;
}

/* The other partners and every workflow, by id. */
static int collateral_actors(offboard_ctx *c, ap_error *err)
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g);
    for (uint32_t v = 0; v < n; v++) {
        ap_kind k = ap_graph_node(g, v)->kind;
        if ((k == AP_KIND_PARTNER && !c->is_actor[v]) || k == AP_KIND_WORKFLOW)
            if (ap_query__push(&c->others, &c->nothers, sizeof v, &v) < 0)
                return ap_error_nomem(err);
    }
    if ((c->after = calloc((size_t)c->nothers + 1, sizeof *c->after)) == NULL
        || (c->kept = calloc((size_t)c->nothers + 1, sizeof *c->kept)) == NULL
        || (c->kept_rights = calloc((size_t)c->nothers + 1, sizeof *c->kept_rights)) == NULL)
        return ap_error_nomem(err);
    return find_touching(c, err);
}

int ap_offboard_compute(ap_offboard **out, const ap_graph *g, uint32_t partner,
                        const ap_offboard_opts *opts, ap_error *err)
{
    offboard_ctx c = { 0 };
    ap_graph *d = NULL;
    ap_authority *pa = NULL;
    uint32_t n = ap_graph_node_count(g);
    int rc;
    *out = NULL;
    if (partner >= n)
        return ap_error_set(err, AP_EBUG, "partner %u out of range", partner);
    c.g = g;
    c.vocab = ap_vocab_all(ap_graph_vocab(g));
    if ((c.o = calloc(1, sizeof *c.o)) == NULL
        || (c.is_actor = calloc((size_t)n + 1, sizeof *c.is_actor)) == NULL
        || (c.revoked = calloc((size_t)n + 1, sizeof *c.revoked)) == NULL
        || (c.touches = calloc((size_t)n + 1, sizeof *c.touches)) == NULL
        || (c.removed = calloc((size_t)ap_graph_edge_count(g) + 1, sizeof *c.removed)) == NULL
        || (c.memo = calloc((size_t)n + 1, sizeof *c.memo)) == NULL
        || (c.node_step = malloc(((size_t)n + 1) * sizeof *c.node_step)) == NULL
        || (c.edge_step = malloc(((size_t)ap_graph_edge_count(g) + 1)
                                 * sizeof *c.edge_step)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++)
        c.node_step[v] = NONE;
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++)
        c.edge_step[e] = NONE;
    c.o->partner = partner;
    c.o->min_sensitivity = opts != NULL ? opts->min_sensitivity : AP_SENS_CONFIDENTIAL;
    c.max_actors = opts != NULL ? opts->max_actors : 0;
    c.holders_only = opts != NULL && opts->shared_holders_only;
    c.count_residual = opts != NULL && opts->count_residual;
    c.kept_max = opts != NULL && opts->keep_reach_max != 0 ? opts->keep_reach_max
                                                          : AP_OFFBOARD_KEPT_MAX;
    c.o->contract_ends = AP_TIME_NONE;

    /* The plan; what persists and where to cut, on the estate as it is. */
    if ((rc = find_actors(&c, err)) < 0 || (rc = make_plan(&c, err)) < 0
        || (rc = ap_authority_compute(&pa, g, partner, err)) < 0
        || (rc = collateral_actors(&c, err)) < 0
        || (rc = ap_offboard__persistence(c.o, g, pa, err)) < 0
        || (rc = ap_offboard__cut(c.o, g, pa, err)) < 0)
        goto cleanup;
    /* What remains and what breaks on the estate after the plan (a copy of the estate, freed
     * before the choices' copy is made), then the shared-credential choices. */
    ap_graph_edit edit = { c.rm, c.nrm, NULL, 0, c.rv, c.nrv };
    if ((rc = ap_graph_derive(&d, g, &edit, err)) < 0 || (rc = residual(&c, d, err)) < 0
        || (!(opts != NULL && opts->skip_collateral) && (rc = collateral(&c, d, err)) < 0))
        goto cleanup;
    ap_graph_free(d);
    d = NULL;
    if ((rc = ap_offboard__shared_credentials(&c, opts != NULL && opts->shared_holders_only,
                                              err)) < 0)
        goto cleanup;
    *out = c.o;
    c.o = NULL;
cleanup:
    for (uint32_t i = 0; c.after != NULL && i < c.nothers; i++) {
        free(c.after[i].node);
        free(c.kept != NULL ? c.kept[i].node : NULL);
        free(c.kept_rights != NULL ? c.kept_rights[i] : NULL);
    }
    free(c.after);
    free(c.kept);
    free(c.kept_rights);
    free(c.after_dense);
    free(c.held_off);
    free(c.held_by);
    free(c.other_of);
    free(c.visit);
    free(c.visits);
    free(c.edge_step);
    free(c.node_step);
    free(c.memo);
    ap_query__authority_ws_free(c.ws);
    ap_query__authority_ws_free(c.ws_after);
    ap_graph_free(c.choices);
    free(c.is_tail);
    free(c.touches);
    free(c.others);
    free(c.is_actor);
    free(c.revoked);
    free(c.removed);
    free(c.rm);
    free(c.rv);
    ap_authority_free(pa);
    ap_graph_free(d);
    ap_offboard_free(c.o);
    return rc;
}
