/* query/offboard.c: docs/design.md's offboarding simulation. The default plan applied to a derived
 * graph; residual, collateral and shared-credential choices are the engine run on it. */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

#define NONE UINT32_MAX

/* Some of the nodes an authority holds (its source first, then by hops and id). */
typedef struct {
    uint32_t *node;
    uint32_t n;
} held_list;

/* What the computation keeps at hand: the graph, the plan as flags and as an edit, and the
 * authority before the plan of every actor whose losses count as collateral. */
typedef struct {
    const ap_graph *g;
    ap_offboard *o;
    ap_rights vocab;            /* every right of the vocabulary */
    bool *is_actor;             /* n: the partner and those acting for it */
    bool *revoked;              /* n: credentials the plan revokes */
    bool *removed;              /* m: edges the plan removes */
    uint32_t *rm, nrm;          /* the plan's edges, as an edit list */
    uint32_t *rv, nrv;          /* the plan's credentials, as an edit list */
    uint32_t *others, nothers;  /* collateral actors: other partners and workflows, by id */
    bool *touches;              /* n: nodes with a live traversable route on g to what the plan
                                 * changes (a superset of those whose authority it changes) */
    bool *is_tail;              /* n: the tail of an edge into a credential the plan revokes */
    held_list *after;           /* nothers: the tails each touched actor holds after the plan
                                 * (from collateral(), for the shared-credential choices: its
                                 * whole reach, kept for every touched actor, was 1.2 GB on the
                                 * dense S=100 estate) */
    uint32_t *held_off, *held_by;   /* n+1 offsets into held_by: for node v, the touched actors
                                 * (indices into others) whose after list holds it */
    uint32_t *other_of;         /* n: a node's index into others, NONE when it is none */
    uint8_t *visit;             /* nothers: what this choice asks of them (VISIT_*), 0 between */
    uint32_t *visits, nvisits;  /* nothers: the actors with visit set, in the order marked */
    uint32_t *edge_step;        /* m: the plan step removing an edge, NONE when none does */
    uint32_t *node_step;        /* n: the plan step revoking a node, NONE when none does */
    uint32_t *memo;             /* n: reach_items' memo, zero between uses */
    ap_graph *choices;          /* the estate after the plan but P's holds on the credentials
                                 * it revokes (they die with them): each choice reinstates one
                                 * (ap_graph_reinstate) */
    ap_authority_ws *ws;        /* the runs on choices: each costs its reach, not the estate */
    ap_authority_ws *ws_after;  /* ... and an actor's run after the plan, beside it */
    uint32_t max_actors;        /* opts->max_actors: actors whose losses are listed; 0 all */
    bool holders_only;          /* opts->shared_holders_only: no choice computed, so no after
                                 * lists kept */
} offboard_ctx;

/* What a shared-credential choice asks of a collateral actor. */
#define VISIT_REACH 1u          /* it may reach the credential: its authority is computed */
#define VISIT_DEPENDS 2u        /* it depends_on the credential */

/* Where one actor's items go: into *list, or (list NULL: an actor past the listed ones) only
 * counted. */
typedef struct {
    ap_reach_item **list;
    uint32_t *n;
    uint32_t counted;
} item_sink;

/* Actor-by-actor losses into list (with *n): the first max_actors actors with any listed, the
 * others counted in *unlisted (items) and *unlisted_actors. */
typedef struct {
    item_sink sink;
    uint32_t listed_actors;
    uint32_t *unlisted, *unlisted_actors;
    ap_reach_item **list;
    uint32_t *n;
    uint32_t before;            /* *n when the current actor began */
} loss_lists;

/* Begin an actor: its items listed, or (past max_actors) counted. */
static item_sink *actor_begin(loss_lists *l, const offboard_ctx *c)
{
    bool listed = c->max_actors == 0 || l->listed_actors < c->max_actors;
    l->sink = (item_sink){ listed ? l->list : NULL, l->n, 0 };
    l->before = *l->n;
    return &l->sink;
}

static void actor_end(loss_lists *l)
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
static int reach_items(ap_reach_item **list, uint32_t *n, offboard_ctx *c, const ap_graph *d,
                       const ap_authority *a, ap_error *err)
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
static int lost_items(item_sink *s, offboard_ctx *c, const ap_graph *gb,
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
static int dependency_items(item_sink *s, offboard_ctx *c, uint32_t w, uint32_t only,
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

static int residual(offboard_ctx *c, const ap_graph *d, ap_error *err)
{
    int rc = AP_OK;
    for (uint32_t i = 0; rc == AP_OK && i < c->o->nactors; i++) {
        ap_authority *a = NULL;
        if ((rc = ap_authority_compute(&a, d, c->o->actors[i], err)) == AP_OK)
            rc = reach_items(&c->o->residual, &c->o->nresidual, c, d, a, err);
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
        item_sink *s = actor_begin(&l, c);
        if (c->touches[c->others[i]]
            && (rc = ap_query__authority_run(&before, wg, c->g, c->others[i], err)) == AP_OK
            && (rc = ap_query__authority_run(&after, wd, d, c->others[i], err)) == AP_OK
            && (rc = lost_items(s, c, c->g, before, after->rights, err)) == AP_OK
            && c->nrv > 0 && !c->holders_only)
            rc = keep_held(&c->after[i], c, after, err);
        if (rc == AP_OK)
            rc = dependency_items(s, c, c->others[i], NONE, err);
        actor_end(&l);
    }
    ap_query__authority_ws_free(wg);
    ap_query__authority_ws_free(wd);
    return rc;
}

/* Mark other i for this choice with what it asks (VISIT_*). */
static void visit(offboard_ctx *c, uint32_t i, uint8_t what)
{
    if (c->visit[i] == 0)
        c->visits[c->nvisits++] = i;
    c->visit[i] |= what;
}

/* The actors a choice of credential k asks anything of, by index into others: those whose
 * authority after the plan holds a tail of an edge into k (the others hold nothing of k's on
 * either graph) and those that depend_on k. */
static void choice_actors(offboard_ctx *c, uint32_t k)
{
    const ap_graph *g = c->g;
    for (uint32_t i = ap_graph_in_begin(g, k); i < ap_graph_in_end(g, k); i++) {
        const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
        uint32_t u = e->from;
        for (uint32_t h = c->held_off[u]; u != k && h < c->held_off[u + 1]; h++)
            visit(c, c->held_by[h], VISIT_REACH);
        if (e->kind == AP_EDGE_DEPENDS_ON && e->live && c->other_of[u] != NONE)
            visit(c, c->other_of[u], VISIT_DEPENDS);
    }
    qsort(c->visits, c->nvisits, sizeof *c->visits, ap_query__u32_cmp);
}

/* Actor w's authority on c->choices with credential k reinstated (NONE: none, the graph after
 * the plan), into ws: P's out-row narrowed to its holds on k (the others are dead), so that a
 * run that reaches P costs what it reaches, not P's holds. */
static int choice_run(const ap_authority **out, offboard_ctx *c, ap_authority_ws *ws,
                      uint32_t k, uint32_t w, ap_error *err)
{
    int rc = ap_graph_reinstate(c->choices, c->g, k, c->o->partner, err);
    if (rc == AP_OK)
        rc = ap_query__authority_run(out, ws, c->choices, w, err);
    ap_graph_reinstate_undo(c->choices, c->g);
    return rc;
}

/* One shared credential: keep it (and P's hold on it) or revoke it, the rest of the plan
 * unchanged. The graph is c->choices with the credential reinstated: it differs from the
 * plan's only there (the credential live again, and P's hold on it), so an actor whose
 * authority after the plan holds none of the credential's tails holds there what it holds
 * after the plan, and nothing breaks for it (an actor computed per credential, then a copy of
 * the estate per credential, made 50,000 shared keys quadratic). A reinstated graph is read
 * only while it is: each run's paths are made before the next reinstatement. */
static int shared_choice(offboard_ctx *c, ap_shared_credential *sc, ap_error *err)
{
    ap_graph *keep = c->choices;
    const ap_authority *a = NULL, *after = NULL;
    uint32_t k = sc->credential;
    int rc;
    if ((rc = ap_graph_reinstate(keep, c->g, k, c->o->partner, err)) < 0)
        return rc;
    if ((rc = ap_query__authority_run(&a, c->ws, keep, c->o->partner, err)) == AP_OK)
        rc = reach_items(&sc->keeps, &sc->nkeeps, c, keep, a, err);
    ap_graph_reinstate_undo(keep, c->g);
    if (rc < 0)
        return rc;
    choice_actors(c, k);
    loss_lists l = { .list = &sc->breaks, .n = &sc->nbreaks,
                     .unlisted = &sc->breaks_unlisted,
                     .unlisted_actors = &sc->breaks_unlisted_actors };
    for (uint32_t v = 0; rc == AP_OK && v < c->nvisits; v++) {
        uint32_t i = c->visits[v];
        item_sink *s = actor_begin(&l, c);
        if (c->touches[c->others[i]] && (c->visit[i] & VISIT_REACH)) {
            /* what it holds after the plan, then with k kept: its losses' paths are made on
             * the graph that keeps k, while k is reinstated */
            if ((rc = choice_run(&after, c, c->ws_after, NONE, c->others[i], err)) < 0
                || (rc = ap_graph_reinstate(keep, c->g, k, c->o->partner, err)) < 0)
                break;
            if ((rc = ap_query__authority_run(&a, c->ws, keep, c->others[i], err)) == AP_OK)
                rc = lost_items(s, c, keep, a, after->rights, err);
            ap_graph_reinstate_undo(keep, c->g);
            if (rc < 0)
                break;
        }
        rc = dependency_items(s, c, c->others[i], k, err);
        actor_end(&l);
    }
    for (uint32_t v = 0; v < c->nvisits; v++)
        c->visit[c->visits[v]] = 0;
    c->nvisits = 0;
    return rc;
}

/* The estate after the plan but P's holds on the credentials it revokes, and what the choices
 * run on it with. */
static int choice_graph(offboard_ctx *c, ap_error *err)
{
    uint32_t *rm = malloc(((size_t)c->nrm + 1) * sizeof *rm), nrm = 0;
    int rc;
    if (rm == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < c->nrm; i++) {
        const ap_edge *e = ap_graph_edge(c->g, c->rm[i]);
        if (!(e->from == c->o->partner && c->revoked[e->to]))
            rm[nrm++] = c->rm[i];
    }
    ap_graph_edit edit = { rm, nrm, NULL, 0, c->rv, c->nrv };
    if ((rc = ap_graph_derive(&c->choices, c->g, &edit, err)) == AP_OK
        && (rc = ap_query__authority_ws_new(&c->ws, c->choices, err)) == AP_OK)
        rc = ap_query__authority_ws_new(&c->ws_after, c->choices, err);
    free(rm);
    return rc;
}

/* held_off and held_by: for each node, the touched actors whose authority after the plan
 * holds it (a transpose of their after lists). */
static int holders_after(offboard_ctx *c, ap_error *err)
{
    uint32_t n = ap_graph_node_count(c->g);
    size_t total = 0;
    c->held_off = calloc((size_t)n + 2, sizeof *c->held_off);
    c->visit = calloc((size_t)c->nothers + 1, sizeof *c->visit);
    c->visits = malloc(((size_t)c->nothers + 1) * sizeof *c->visits);
    c->other_of = malloc(((size_t)n + 1) * sizeof *c->other_of);
    if (c->held_off == NULL || c->visit == NULL || c->visits == NULL || c->other_of == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        c->other_of[v] = NONE;
    for (uint32_t i = 0; i < c->nothers; i++)
        c->other_of[c->others[i]] = i;
    for (uint32_t i = 0; i < c->nothers; i++) {
        for (uint32_t k = 0; k < c->after[i].n; k++)
            c->held_off[c->after[i].node[k] + 2]++;
        total += c->after[i].n;
    }
    if (total >= UINT32_MAX)
        return ap_error_set(err, AP_ENOMEM, "too many actors' holdings to index");
    for (uint32_t v = 0; v < n; v++)
        c->held_off[v + 2] += c->held_off[v + 1];
    if ((c->held_by = malloc((total + 1) * sizeof *c->held_by)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < c->nothers; i++)      /* each node's actors in index order */
        for (uint32_t k = 0; k < c->after[i].n; k++)
            c->held_by[c->held_off[c->after[i].node[k] + 1]++] = i;
    return AP_OK;
}

/* Credentials the plan revokes that another node also holds: a live edge that passes
 * authority into them (a depends_on edge is collateral, not a holder). */
static int shared_credentials(offboard_ctx *c, bool holders_only, ap_error *err)
{
    const ap_graph *g = c->g;
    int rc = AP_OK;
    if (!holders_only && ((rc = holders_after(c, err)) < 0 || (rc = choice_graph(c, err)) < 0))
        return rc;
    for (uint32_t s = 0; rc == AP_OK && s < c->nrv; s++) {
        ap_shared_credential sc = { c->rv[s], NULL, 0, NULL, 0, NULL, 0, 0, 0 };
        uint32_t k = sc.credential;
        /* the holders by id: the tails of k's in-edges, sorted, each once */
        for (uint32_t i = ap_graph_in_begin(g, k); rc == AP_OK && i < ap_graph_in_end(g, k); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (e->live && e->traversable && e->from != c->o->partner && e->from != k
                && ap_query__push(&sc.holders, &sc.nholders, sizeof e->from, &e->from) < 0)
                rc = ap_error_nomem(err);
        }
        if (sc.nholders > 1) {
            uint32_t kept = 1;
            qsort(sc.holders, sc.nholders, sizeof *sc.holders, ap_query__u32_cmp);
            for (uint32_t i = 1; i < sc.nholders; i++)
                if (sc.holders[i] != sc.holders[kept - 1])
                    sc.holders[kept++] = sc.holders[i];
            sc.nholders = kept;
        }
        if (rc == AP_OK && sc.nholders > 0 && !holders_only)
            rc = shared_choice(c, &sc, err);
        if (rc == AP_OK && sc.nholders == 0) {
            free(sc.holders);
            continue;
        }
        if (rc == AP_OK && ap_query__push(&c->o->shared, &c->o->nshared, sizeof sc, &sc) < 0)
            rc = ap_error_nomem(err);
        if (rc < 0) {
            free(sc.holders);
            ap_query__items_free(sc.breaks, sc.nbreaks);
            ap_query__items_free(sc.keeps, sc.nkeeps);
        }
    }
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
    if ((c->after = calloc((size_t)c->nothers + 1, sizeof *c->after)) == NULL)
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
    if ((rc = shared_credentials(&c, opts != NULL && opts->shared_holders_only, err)) < 0)
        goto cleanup;
    *out = c.o;
    c.o = NULL;
cleanup:
    for (uint32_t i = 0; c.after != NULL && i < c.nothers; i++) {
        free(c.after[i].node);
    }
    free(c.after);
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
