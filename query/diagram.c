/* query/diagram.c: what each diagram shows. Picks the nodes and edges of authority,
 * blast-radius, paths, delegation and offboarding results in priority order (tiers), on the
 * builder of diagram_build.c; query/render/dot.c only draws the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagram_internal.h"

typedef struct {
    uint32_t v;
    int prio;               /* shown first: the higher, the earlier */
    int rank;               /* sensitivity of resources and workflows; -1 for the rest */
    uint32_t hops;
} pick;

static int pick_cmp(const void *x, const void *y)
{
    const pick *a = x, *b = y;
    if (a->prio != b->prio)
        return a->prio > b->prio ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank > b->rank ? -1 : 1;
    if (a->hops != b->hops)
        return a->hops < b->hops ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;      /* id order: total */
}

static int target_rank(const ap_node *nd)
{
    if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
        return -1;
    return (int)(nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity);
}

/* Sort the picks and show their witness chains in that order while they fit; returns how
 * many were left out. */
static uint32_t show_picks(ap_diagram_builder *b, const ap_authority *a, pick *picks,
                           uint32_t np)
{
    uint32_t skipped = 0;
    qsort(picks, np, sizeof *picks, pick_cmp);
    for (uint32_t i = 0; i < np; i++) {
        if (b->nshown >= AP_DIAGRAM_MAX_NODES
            || b->nshown + ap_diagram__witness_cost(b, a, picks[i].v,
                                                    AP_DIAGRAM_MAX_NODES - b->nshown)
                   > AP_DIAGRAM_MAX_NODES) {
            skipped++;
            continue;
        }
        b->tier++;                  /* each chain drawn is one tier */
        ap_diagram__show_witness(b, a, picks[i].v);
    }
    return skipped;
}

/* Show the witness chains of the reached nodes (only resources and workflows, and the heads of
 * escalations, when targets_only), most sensitive first, while they fit. */
static int reach_diagram(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                         bool targets_only, ap_diagram_kind kind, const char *what,
                         ap_error *err)
{
    ap_diagram_builder b;
    pick *picks = NULL;
    uint32_t np = 0, skipped = 0;
    char *note = NULL;
    int rc;
    *out = NULL;
    if ((rc = ap_diagram__init(&b, g, err)) < 0)
        goto cleanup;
    if ((picks = malloc(((size_t)a->nreach + 1) * sizeof *picks)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t i = 0; i < a->nreach; i++) {
        uint32_t v = a->reach[i];
        const ap_node *nd = ap_graph_node(g, v);
        bool target = nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW;
        if (targets_only && !target) {
            bool esc = false;   /* the head of an escalation that carries authority */
            for (uint32_t k = ap_graph_in_begin(g, v); k < ap_graph_in_end(g, v) && !esc; k++) {
                const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, k));
                esc = e->escalates && ap_authority_carries(g, a, e);
            }
            if (!esc)
                continue;
        }
        picks[np++] = (pick){ v, 0, target_rank(nd), a->hops[v] };
    }
    ap_diagram__show_node(&b, a->source, AP_MARK_SOURCE);
    skipped = show_picks(&b, a, picks, np);
    ap_diagram__show_carrying(&b, a);
    if (skipped > 0) {
        char line[160];
        snprintf(line, sizeof line, "%u of %u chains left out to keep the diagram under %d "
                 "nodes (the most sensitive are shown)", skipped, np, AP_DIAGRAM_MAX_NODES);
        if (ap_diagram__add_note(&note, line) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    rc = ap_diagram__finish(out, &b, a, a->source, kind, what, note, err);
    note = NULL;
cleanup:
    free(note);
    free(picks);
    ap_diagram__release(&b);
    return rc;
}

int ap_diagram_authority(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                         ap_error *err)
{
    return reach_diagram(out, g, a, false, AP_DIAGRAM_AUTHORITY, "Authority of", err);
}

int ap_diagram_blast(ap_diagram **out, const ap_graph *g, const ap_authority *a, ap_error *err)
{
    return reach_diagram(out, g, a, true, AP_DIAGRAM_BLAST, "Blast radius of", err);
}

/* A path drawn in a paths diagram, in the order of its tier. */
typedef struct {
    uint32_t set, k;
    int rank;               /* its target's sensitivity */
    uint32_t len;
} path_ref;

static int path_ref_cmp(const void *x, const void *y)
{
    const path_ref *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank > b->rank ? -1 : 1;          /* the most sensitive targets first */
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;            /* then the shortest chains */
    if (a->set != b->set)
        return a->set < b->set ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;          /* (set, k) is unique: total */
}

int ap_diagram_paths(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                     const ap_paths *p, ap_error *err)
{
    ap_diagram_builder b;
    char *note = NULL, line[200];
    uint32_t more = 0, deeper = 0, truncated = 0, nrefs = 0;
    path_ref *refs = NULL;
    int rc;
    *out = NULL;
    if ((rc = ap_diagram__init(&b, g, err)) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < p->nsets; i++)
        nrefs += p->sets[i].npaths;
    if ((refs = malloc(((size_t)nrefs + 1) * sizeof *refs)) == NULL)
        goto nomem;
    nrefs = 0;
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        more += s->more;
        deeper += s->deeper;
        truncated += s->truncated;
        for (uint32_t k = 0; k < s->npaths; k++)
            refs[nrefs++] = (path_ref){ i, k, target_rank(ap_graph_node(g, s->target)),
                                        s->off[k + 1] - s->off[k] };
    }
    qsort(refs, nrefs, sizeof *refs, path_ref_cmp);
    ap_diagram__show_node(&b, a->source, 0);
    for (uint32_t r = 0; r < nrefs; r++) {
        /* each edge labelled with what the routes drawn through it carry over it */
        const ap_path_set *s = &p->sets[refs[r].set];
        uint32_t k = refs[r].k, len = refs[r].len;
        ap_chain_step *steps = malloc(((size_t)len + 1) * sizeof *steps);
        if (steps == NULL)
            goto nomem;
        b.tier = r + 1;
        ap_diagram__show_node(&b, s->target, AP_MARK_TARGET);
        ap_authority_replay(g, a, s->edges + s->off[k], len, steps);
        for (uint32_t j = 0; j < len; j++)
            ap_diagram__show_edge(&b, steps[j].edge, steps[j].carried, 0);
        free(steps);
    }
    if (more > 0) {
        snprintf(line, sizeof line, "%u target%s: more paths than --max-paths %u (not all "
                 "drawn)", more, more == 1 ? "" : "s", p->max_paths);
        if (ap_diagram__add_note(&note, line) < 0)
            goto nomem;
    }
    if (deeper > 0) {
        snprintf(line, sizeof line, "%u target%s: paths longer than --max-depth %u left out",
                 deeper, deeper == 1 ? "" : "s", p->max_depth);
        if (ap_diagram__add_note(&note, line) < 0)
            goto nomem;
    }
    if (truncated > 0) {
        snprintf(line, sizeof line, "%u target%s: the search stopped at its work bound (not "
                 "all paths drawn)", truncated, truncated == 1 ? "" : "s");
        if (ap_diagram__add_note(&note, line) < 0)
            goto nomem;
    }
    rc = ap_diagram__finish(out, &b, a, a->source, AP_DIAGRAM_PATHS, "Paths from", note, err);
    note = NULL;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(refs);
    free(note);
    ap_diagram__release(&b);
    return rc;
}

int ap_diagram_delegation(ap_diagram **out, const ap_graph *g, const ap_delegation *d,
                          int64_t partner, ap_error *err)
{
    ap_diagram_builder b;
    char *note = NULL;
    uint32_t skipped = 0, unshown_loops = 0, unshown_partners = 0;
    int rc;
    *out = NULL;
    if ((rc = ap_diagram__init(&b, g, err)) < 0)
        goto cleanup;
    /* the partners involved, while they fit: the loops whole, then each chain's partner and
     * those it acts for (nearest first); then every link between two shown partners */
    if (partner >= 0)
        ap_diagram__show_node(&b, (uint32_t)partner, 0);
    for (uint32_t i = 0; i < d->nloops; i++) {
        uint32_t cost = 0;
        for (uint32_t k = 0; k < d->loops[i].len && cost <= AP_DIAGRAM_MAX_NODES; k++)
            cost += !(b.nflag[d->loops[i].nodes[k]] & AP_DIAGRAM_SHOWN);
        if (b.nshown + cost > AP_DIAGRAM_MAX_NODES) {
            unshown_loops++;
            continue;
        }
        for (uint32_t k = 0; k < d->loops[i].len; k++)
            ap_diagram__show_node(&b, d->loops[i].nodes[k], 0);
    }
    for (uint32_t i = 0; i < d->nchains; i++) {
        const ap_chain *c = &d->chains[i];
        if (b.nshown + !(b.nflag[c->partner] & AP_DIAGRAM_SHOWN) > AP_DIAGRAM_MAX_NODES) {
            unshown_partners += 1 + c->nacts + c->nmore;
            continue;
        }
        ap_diagram__show_node(&b, c->partner, 0);
        for (uint32_t k = 0; k < c->nacts; k++) {
            if (b.nshown + !(b.nflag[c->acts_for[k]] & AP_DIAGRAM_SHOWN) > AP_DIAGRAM_MAX_NODES) {
                unshown_partners += c->nacts - k;
                break;
            }
            ap_diagram__show_node(&b, c->acts_for[k], 0);
        }
        unshown_partners += c->nmore;
    }
    for (uint32_t i = 0; i < d->nlinks; i++) {
        const ap_edge *e = ap_graph_edge(g, d->links[i]);
        if ((b.nflag[e->from] & AP_DIAGRAM_SHOWN) && (b.nflag[e->to] & AP_DIAGRAM_SHOWN))
            ap_diagram__show_edge(&b, d->links[i], ap_edge_transfer(e, AP_RIGHTS_ALL), 0);
    }
    /* the chains through which one partner inherits another's authority, while they fit */
    for (uint32_t i = 0; i < d->ninherits; i++) {
        const ap_inherit *in = &d->inherits[i];
        uint32_t cost = 0;
        for (uint32_t k = 0; k < in->npath; k++)
            cost += !(b.nflag[ap_graph_edge(g, in->path[k])->to] & AP_DIAGRAM_SHOWN);
        cost += !(b.nflag[in->heir] & AP_DIAGRAM_SHOWN);
        if (b.nshown + cost > AP_DIAGRAM_MAX_NODES) {
            skipped++;
            continue;
        }
        ap_diagram__show_node(&b, in->heir, 0);
        for (uint32_t k = 0; k < in->npath; k++)
            ap_diagram__show_edge(&b, in->path[k], in->carried[k], 0);
    }
    if (unshown_loops > 0 || unshown_partners > 0 || skipped > 0 || d->inherits_more > 0) {
        char line[240];
        snprintf(line, sizeof line, "not drawn, to keep the diagram under %d nodes: %u loop%s, "
                 "%u places in chains, %u of %u inheritance chains (the text and JSON list "
                 "them)", AP_DIAGRAM_MAX_NODES, unshown_loops, unshown_loops == 1 ? "" : "s",
                 unshown_partners, skipped + d->inherits_more,
                 d->ninherits + d->inherits_more);
        if (ap_diagram__add_note(&note, line) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    rc = ap_diagram__finish(out, &b, NULL, partner, AP_DIAGRAM_DELEGATION,
                            partner >= 0 ? "Delegation around" : "Delegation", note, err);
    note = NULL;
cleanup:
    free(note);
    ap_diagram__release(&b);
    return rc;
}

/* Per node: 2 for o's targets, 1 for the nodes from which a carrying path of a leads to one
 * (everything between the partner and what the cut protects), else 0. */
static int toward_targets(uint8_t **out, const ap_graph *g, const ap_authority *a,
                          const ap_offboard *o, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), head = 0, tail = 0;
    uint8_t *seen = calloc((size_t)n + 1, sizeof *seen);
    uint32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    *out = NULL;
    if (seen == NULL || queue == NULL) {
        free(seen);
        free(queue);
        return ap_error_nomem(err);
    }
    for (uint32_t i = 0; i < o->ntargets; i++)
        if (!seen[o->targets[i]]) {
            seen[o->targets[i]] = 2;
            queue[tail++] = o->targets[i];
        }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t k = ap_graph_in_begin(g, v); k < ap_graph_in_end(g, v); k++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, k));
            if (!seen[e->from] && ap_authority_carries(g, a, e)) {
                seen[e->from] = 1;
                queue[tail++] = e->from;
            }
        }
    }
    free(queue);
    *out = seen;
    return AP_OK;
}

int ap_diagram_offboard(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                        const ap_offboard *o, ap_error *err)
{
    ap_diagram_builder b;
    uint8_t *toward = NULL;
    pick *picks = NULL;
    uint32_t np = 0, skipped, unshown_cut = 0, unshown_chokes = 0;
    char *note = NULL, line[200];
    int rc;
    *out = NULL;
    if (a->source != o->partner)
        return ap_error_set(err, AP_EBUG, "offboard diagram: the authority is not the "
                            "partner's");
    if ((rc = ap_diagram__init(&b, g, err)) < 0
        || (rc = toward_targets(&toward, g, a, o, err)) < 0)
        goto cleanup;
    if ((picks = malloc(((size_t)a->nreach + 1) * sizeof *picks)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* what must be seen, whatever the size: the cut edges, the choke points, their chains */
    ap_diagram__show_node(&b, a->source, AP_MARK_SOURCE);
    for (uint32_t i = 0; i < o->ncut; i++) {
        const ap_edge *e = ap_graph_edge(g, o->cut[i]);
        uint32_t room = AP_DIAGRAM_MAX_FORCED - b.nshown;
        if (b.nshown >= AP_DIAGRAM_MAX_FORCED
            || ap_diagram__witness_cost(&b, a, e->from, room)
                       + !(b.nflag[e->to] & AP_DIAGRAM_SHOWN) > room) {
            unshown_cut++;
            continue;
        }
        ap_diagram__show_witness(&b, a, e->from);
        ap_diagram__show_edge(&b, o->cut[i], ap_edge_transfer(e, a->rights[e->from]), AP_MARK_CUT);
    }
    for (uint32_t i = 0; i < o->nchokes; i++) {
        uint32_t v = o->chokes[i].node;
        if (b.nshown >= AP_DIAGRAM_MAX_FORCED
            || ap_diagram__witness_cost(&b, a, v, AP_DIAGRAM_MAX_FORCED - b.nshown)
                   > AP_DIAGRAM_MAX_FORCED - b.nshown) {
            unshown_chokes++;
            continue;
        }
        ap_diagram__show_witness(&b, a, v);
        b.nflag[v] |= AP_MARK_CHOKE;
    }
    /* then the targets, what lies between the partner and them, and the rest of the reach */
    for (uint32_t i = 0; i < a->nreach; i++) {
        uint32_t v = a->reach[i];
        picks[np++] = (pick){ v, toward[v], target_rank(ap_graph_node(g, v)), a->hops[v] };
    }
    skipped = show_picks(&b, a, picks, np);
    for (uint32_t i = 0; i < o->ntargets; i++)
        if (b.nflag[o->targets[i]] & AP_DIAGRAM_SHOWN)
            b.nflag[o->targets[i]] |= AP_MARK_TARGET;
    ap_diagram__show_carrying(&b, a);
    if (o->ntargets == 0)
        snprintf(line, sizeof line, "nothing to cut: no resource or workflow at or above %s "
                 "is reached", ap_sensitivity_name(o->min_sensitivity));
    else
        snprintf(line, sizeof line, "minimal revocation set: %u edge%s cut%s it off %u "
                 "target%s at or above %s; %u choke point%s", o->ncut, o->ncut == 1 ? "" : "s",
                 o->ncut == 1 ? "s" : "", o->ntargets, o->ntargets == 1 ? "" : "s",
                 ap_sensitivity_name(o->min_sensitivity), o->nchokes,
                 o->nchokes == 1 ? "" : "s");
    if (ap_diagram__add_note(&note, line) < 0)
        goto nomem;
    if (unshown_cut > 0 || unshown_chokes > 0) {
        snprintf(line, sizeof line, "not drawn: %u cut edge%s and %u choke point%s whose "
                 "chains pass %d nodes (the text and JSON list them all)", unshown_cut,
                 unshown_cut == 1 ? "" : "s", unshown_chokes, unshown_chokes == 1 ? "" : "s",
                 AP_DIAGRAM_MAX_FORCED);
        if (ap_diagram__add_note(&note, line) < 0)
            goto nomem;
    }
    if (skipped > 0) {
        snprintf(line, sizeof line, "%u of %u chains left out to keep the diagram under %d "
                 "nodes (the cut, the choke points and the targets first)", skipped, np,
                 AP_DIAGRAM_MAX_NODES);
        if (ap_diagram__add_note(&note, line) < 0)
            goto nomem;
    }
    rc = ap_diagram__finish(out, &b, a, a->source, AP_DIAGRAM_OFFBOARD, "Offboarding", note,
                            err);
    note = NULL;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(note);
    free(picks);
    free(toward);
    ap_diagram__release(&b);
    return rc;
}
