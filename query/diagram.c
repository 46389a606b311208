/* query/diagram.c: what a diagram shows. Picks the nodes and edges of authority, blast-radius,
 * paths and delegation results, marks them (loops, escalations, shared and expired-but-live
 * credentials), and counts what it leaves out; query/render/dot.c only draws the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"

#define SHOWN 0x80000000u           /* in a builder's node or edge flags: shown */

typedef struct {
    const ap_graph *g;
    unsigned *nflag;                /* per node: SHOWN | marks */
    unsigned *eflag;                /* per edge: SHOWN | marks */
    ap_rights *erights;             /* per edge: rights shown */
    uint32_t nshown;
} builder;

static int builder_init(builder *b, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    b->g = g;
    b->nshown = 0;
    b->nflag = calloc((size_t)n + 1, sizeof *b->nflag);
    b->eflag = calloc((size_t)m + 1, sizeof *b->eflag);
    b->erights = calloc((size_t)m + 1, sizeof *b->erights);
    if (b->nflag == NULL || b->eflag == NULL || b->erights == NULL)
        return ap_error_nomem(err);
    return AP_OK;
}

static void builder_free(builder *b)
{
    free(b->nflag);
    free(b->eflag);
    free(b->erights);
}

static void show_node(builder *b, uint32_t v, unsigned marks)
{
    if (!(b->nflag[v] & SHOWN))
        b->nshown++;
    b->nflag[v] |= SHOWN | marks;
}

static void show_edge(builder *b, uint32_t e, ap_rights r, unsigned marks)
{
    const ap_edge *ed = ap_graph_edge(b->g, e);
    show_node(b, ed->from, 0);
    show_node(b, ed->to, 0);
    b->eflag[e] |= SHOWN | marks;
    b->erights[e] |= r;
}

/* v's witness path (ap_authority_path) with what it carries over each step: *steps owns it
 * (free()); 0 and NULL when v has none or memory runs out. */
static size_t witness_steps(const builder *b, const ap_authority *a, uint32_t v,
                            ap_chain_step **steps)
{
    size_t len = ap_authority_path(a, b->g, v, NULL, 0);
    uint32_t *chain = malloc((len + 1) * sizeof *chain);
    *steps = malloc((len + 1) * sizeof **steps);
    if (len == 0 || chain == NULL || *steps == NULL) {
        free(chain);
        free(*steps);
        *steps = NULL;
        return 0;
    }
    ap_authority_path(a, b->g, v, chain, len);
    ap_authority_replay(b->g, a, chain, len, *steps);
    free(chain);
    return len;
}

/* Nodes of v's witness path not shown yet, counted up to just past limit. */
static uint32_t witness_cost(const builder *b, const ap_authority *a, uint32_t v,
                             uint32_t limit)
{
    ap_chain_step *steps;
    size_t len = witness_steps(b, a, v, &steps);
    uint32_t k = !(b->nflag[v] & SHOWN);
    for (size_t i = 0; i + 1 < len && k <= limit; i++)
        k += !(b->nflag[ap_graph_edge(b->g, steps[i].edge)->to] & SHOWN);
    free(steps);
    return k;
}

/* v's witness path, each edge labelled with what the path carries over it. */
static void show_witness(builder *b, const ap_authority *a, uint32_t v)
{
    ap_chain_step *steps;
    size_t len = witness_steps(b, a, v, &steps);
    show_node(b, v, 0);
    for (size_t i = 0; i < len; i++)
        show_edge(b, steps[i].edge, steps[i].carried, 0);
    free(steps);
}

/* Every edge carrying a's authority between two shown nodes. */
static void show_carrying_between(builder *b, const ap_authority *a)
{
    for (uint32_t e = 0; e < ap_graph_edge_count(b->g); e++) {
        const ap_edge *ed = ap_graph_edge(b->g, e);
        if ((b->nflag[ed->from] & SHOWN) && (b->nflag[ed->to] & SHOWN)
            && ap_authority_carries(b->g, a, ed))
            show_edge(b, e, ap_edge_transfer(ed, a->rights[ed->from]), 0);
    }
}

static int is_partner_ended(const ap_graph *g, uint32_t p)
{
    const ap_node *nd = ap_graph_node(g, p);
    int64_t ends;
    if (nd->kind != AP_KIND_PARTNER)
        return 0;
    if (nd->state == AP_STATE_SUSPENDED || nd->state == AP_STATE_REVOKED)
        return 1;
    return ap_graph_node_time(g, p, "contract_ends", &ends) && ends <= ap_graph_at(g);
}

/* Credential marks: shared (held from two domains or more, or multi-tenant) and expired but
 * live (live, and the partner it belongs to or a partner holding it has ended). */
static unsigned credential_marks(const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    const char *first = NULL;
    unsigned marks = 0;
    if (nd->kind != AP_KIND_CREDENTIAL)
        return 0;
    if (ap_graph_node_bool(g, v, "multi_tenant", false))
        marks |= AP_MARK_SHARED;
    int64_t owner = ap_graph_find(g, ap_node_domain(g, v));
    if (nd->live && owner >= 0 && is_partner_ended(g, (uint32_t)owner))
        marks |= AP_MARK_EXPIRED_LIVE;
    for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
        const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
        if (e->kind != AP_EDGE_HOLDS || !e->live)
            continue;
        const char *dom = ap_node_domain(g, e->from);
        if (first == NULL)
            first = dom;
        else if (strcmp(first, dom) != 0)
            marks |= AP_MARK_SHARED;
        if (nd->live && is_partner_ended(g, e->from))
            marks |= AP_MARK_EXPIRED_LIVE;
    }
    return marks;
}

/* Loop marks: shown edges inside a strongly connected set of shown edges (igraph), and
 * shown self-loops. */
static int mark_loops(builder *b, ap_error *err)
{
    uint32_t m = ap_graph_edge_count(b->g);
    igraph_vector_int_t ends, memb;
    igraph_t ig;
    int rc = AP_OK;
    if (igraph_vector_int_init(&ends, 0) != IGRAPH_SUCCESS)
        return ap_error_nomem(err);
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&ends);
        return ap_error_nomem(err);
    }
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(b->g, e);
        if (!(b->eflag[e] & SHOWN))
            continue;
        if (igraph_vector_int_push_back(&ends, ed->from) != IGRAPH_SUCCESS
            || igraph_vector_int_push_back(&ends, ed->to) != IGRAPH_SUCCESS) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    igraph_error_t ie = igraph_create(&ig, &ends, ap_graph_node_count(b->g), IGRAPH_DIRECTED);
    if (ie == IGRAPH_SUCCESS) {
        ie = igraph_connected_components(&ig, &memb, NULL, NULL, IGRAPH_STRONG);
        igraph_destroy(&ig);
    }
    if (ie != IGRAPH_SUCCESS) {
        rc = ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
        goto cleanup;
    }
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(b->g, e);
        if ((b->eflag[e] & SHOWN) && VECTOR(memb)[ed->from] == VECTOR(memb)[ed->to]) {
            b->eflag[e] |= AP_MARK_LOOP;
            b->nflag[ed->from] |= AP_MARK_LOOP;
            b->nflag[ed->to] |= AP_MARK_LOOP;
        }
    }
cleanup:
    igraph_vector_int_destroy(&ends);
    igraph_vector_int_destroy(&memb);
    return rc;
}

void ap_diagram_free(ap_diagram *d)
{
    if (d == NULL)
        return;
    free(d->title);
    free(d->subtitle);
    free(d->note);
    free(d->nodes);
    free(d->edges);
    free(d->collapsed);
    free(d);
}

/* "Authority of Acme Consulting (acme)", or "... of acme" when the name is the id. */
static char *titled(const ap_graph *g, const char *what, int64_t v)
{
    char *s = NULL;
    size_t size;
    if (v < 0)
        return strdup(what);
    const char *id = ap_graph_node(g, (uint32_t)v)->id;
    const char *name = ap_graph_node_label(g, (uint32_t)v);
    size = strlen(what) + strlen(id) + strlen(name) + 8;
    if ((s = malloc(size)) == NULL)
        return NULL;
    if (strcmp(name, id) == 0)
        snprintf(s, size, "%s %s", what, id);
    else
        snprintf(s, size, "%s %s (%s)", what, name, id);
    return s;
}

/* A reached node left out of the diagram, counted under its domain. */
typedef struct {
    const char *domain;     /* borrowed from the graph */
    ap_kind kind;
} left_out;

static int left_out_cmp(const void *x, const void *y)
{
    const left_out *a = x, *b = y;
    return strcmp(a->domain, b->domain);        /* ties are counted together: any order */
}

typedef struct {
    ap_diagram_collapsed c;
    bool near;              /* its domain has a shown node: its cluster is drawn anyway */
} group;

static int group_domain_cmp(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if ((a->c.domain != NULL) != (b->c.domain != NULL))
        return a->c.domain != NULL ? -1 : 1;    /* "in other domains" last */
    return a->c.domain != NULL ? strcmp(a->c.domain, b->c.domain) : 0;
}

/* Groups kept first: near ones, then the largest, then by domain (unique: total). */
static int group_keep_cmp(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->near != b->near)
        return a->near ? -1 : 1;
    if (a->c.total != b->c.total)
        return a->c.total > b->c.total ? -1 : 1;
    return strcmp(a->c.domain, b->c.domain);
}

/* Count what a's authority reaches that d does not show, one group per domain (sorted, so the
 * work is n log n whatever the number of domains). Groups in domains with a shown node are
 * all kept (at most one per shown node); of the others the AP_DIAGRAM_MAX_GROUPS largest, and
 * the rest are summed into one group with a NULL domain ("in other domains"), so a diagram has
 * a bounded number of boxes and clusters. */
static int collapse(ap_diagram *d, const builder *b, const ap_authority *a, ap_error *err)
{
    const ap_graph *g = b->g;
    uint32_t n = ap_graph_node_count(g), nl = 0, ng = 0, nnear = 0;
    left_out *l = malloc(((size_t)n + 1) * sizeof *l);
    group *gr = NULL;
    if (l == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        if (!(b->nflag[v] & SHOWN) && v != a->source && a->rights[v] != 0)
            l[nl++] = (left_out){ ap_node_domain(g, v), ap_graph_node(g, v)->kind };
    if (nl == 0) {
        free(l);
        return AP_OK;
    }
    qsort(l, nl, sizeof *l, left_out_cmp);
    if ((gr = calloc((size_t)nl + 1, sizeof *gr)) == NULL) {
        free(l);
        return ap_error_nomem(err);
    }
    for (uint32_t i = 0; i < nl; i++) {
        if (ng == 0 || strcmp(gr[ng - 1].c.domain, l[i].domain) != 0)
            gr[ng++].c.domain = l[i].domain;
        gr[ng - 1].c.by_kind[l[i].kind]++;
        gr[ng - 1].c.total++;
    }
    free(l);
    d->collapsed_nodes = nl;
    for (uint32_t i = 0; i < d->nnodes; i++) {      /* groups are sorted by domain */
        group key = { { ap_node_domain(g, d->nodes[i].node), { 0 }, 0 }, false };
        group *hit = bsearch(&key, gr, ng, sizeof *gr, group_domain_cmp);
        if (hit != NULL && !hit->near) {
            hit->near = true;
            nnear++;
        }
    }
    if (ng > nnear + AP_DIAGRAM_MAX_GROUPS) {
        uint32_t keep = nnear + AP_DIAGRAM_MAX_GROUPS;
        qsort(gr, ng, sizeof *gr, group_keep_cmp);
        group rest = { { NULL, { 0 }, 0 }, false };
        for (uint32_t k = keep; k < ng; k++) {
            for (int kind = 0; kind < AP_KIND_COUNT; kind++)
                rest.c.by_kind[kind] += gr[k].c.by_kind[kind];
            rest.c.total += gr[k].c.total;
        }
        d->collapsed_domains = ng - keep;
        gr[keep] = rest;
        ng = keep + 1;
        qsort(gr, ng, sizeof *gr, group_domain_cmp);
    }
    if ((d->collapsed = malloc((size_t)ng * sizeof *d->collapsed)) == NULL) {
        free(gr);
        return ap_error_nomem(err);
    }
    for (uint32_t k = 0; k < ng; k++)
        d->collapsed[k] = gr[k].c;
    d->ncollapsed = ng;
    free(gr);
    return AP_OK;
}

/* Append a line to *note. */
static int add_note(char **note, const char *line)
{
    size_t old = *note != NULL ? strlen(*note) : 0;
    char *p = realloc(*note, old + strlen(line) + 2);
    if (p == NULL)
        return -1;
    if (old > 0)
        p[old++] = '\n';
    strcpy(p + old, line);
    *note = p;
    return 0;
}

/* Turn the builder into a diagram: marks, the shown lists, what a's authority reaches that is
 * not shown (when a is given), title and notes. */
static int finish(ap_diagram **out, builder *b, const ap_authority *a, int64_t source,
                  const char *what, char *note, ap_error *err)
{
    const ap_graph *g = b->g;
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    ap_diagram *d = calloc(1, sizeof *d);
    char line[160], at[32];
    int rc;
    *out = NULL;
    if (d == NULL) {
        free(note);
        return ap_error_nomem(err);
    }
    d->note = note;
    d->source = source;
    if (source >= 0)
        show_node(b, (uint32_t)source, AP_MARK_SOURCE);
    if ((rc = mark_loops(b, err)) < 0)
        goto fail;
    d->nodes = malloc(((size_t)b->nshown + 1) * sizeof *d->nodes);
    d->edges = malloc(((size_t)m + 1) * sizeof *d->edges);
    if (d->nodes == NULL || d->edges == NULL)
        goto nomem;
    for (uint32_t v = 0; v < n; v++)
        if (b->nflag[v] & SHOWN) {
            unsigned marks = (b->nflag[v] & ~SHOWN) | credential_marks(g, v);
            d->nodes[d->nnodes++] = (ap_diagram_node){ v, marks };
        }
    if (a != NULL && (rc = collapse(d, b, a, err)) < 0)
        goto fail;
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (b->eflag[e] & SHOWN) {
            unsigned marks = b->eflag[e] & ~SHOWN;
            if (ed->escalates)
                marks |= AP_MARK_ESCALATION;
            if (strcmp(ap_node_domain(g, ed->from), ap_node_domain(g, ed->to)) != 0)
                marks |= AP_MARK_BOUNDARY;
            d->edges[d->nedges++] = (ap_diagram_edge){ e, b->erights[e], marks };
        } else if (a != NULL && ap_authority_carries(g, a, ed)) {
            d->collapsed_edges++;
        }
    }
    if (d->collapsed_nodes > 0 || d->collapsed_edges > 0) {
        snprintf(line, sizeof line, "collapsed: %u reached nodes and %u authority-carrying "
                 "edges not on a shown path", d->collapsed_nodes, d->collapsed_edges);
        if (add_note(&d->note, line) < 0)
            goto nomem;
    }
    ap_time_format(at, sizeof at, ap_graph_at(g));
    snprintf(line, sizeof line, "snapshot %lld at %s", (long long)ap_graph_snapshot(g), at);
    if ((d->title = titled(g, what, source)) == NULL || (d->subtitle = strdup(line)) == NULL)
        goto nomem;
    *out = d;
    return AP_OK;
nomem:
    rc = ap_error_nomem(err);
fail:
    ap_diagram_free(d);
    return rc;
}

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
static uint32_t show_picks(builder *b, const ap_authority *a, pick *picks, uint32_t np)
{
    uint32_t skipped = 0;
    qsort(picks, np, sizeof *picks, pick_cmp);
    for (uint32_t i = 0; i < np; i++) {
        if (b->nshown >= AP_DIAGRAM_MAX_NODES
            || b->nshown + witness_cost(b, a, picks[i].v, AP_DIAGRAM_MAX_NODES - b->nshown)
                   > AP_DIAGRAM_MAX_NODES) {
            skipped++;
            continue;
        }
        show_witness(b, a, picks[i].v);
    }
    return skipped;
}

/* Show the witness chains of the reached nodes (only resources and workflows, and the heads of
 * escalations, when targets_only), most sensitive first, while they fit. */
static int reach_diagram(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                         bool targets_only, const char *what, ap_error *err)
{
    builder b;
    pick *picks = NULL;
    uint32_t np = 0, skipped = 0;
    char *note = NULL;
    int rc;
    *out = NULL;
    if ((rc = builder_init(&b, g, err)) < 0)
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
    show_node(&b, a->source, AP_MARK_SOURCE);
    skipped = show_picks(&b, a, picks, np);
    show_carrying_between(&b, a);
    if (skipped > 0) {
        char line[160];
        snprintf(line, sizeof line, "%u of %u chains left out to keep the diagram under %d "
                 "nodes (the most sensitive are shown)", skipped, np, AP_DIAGRAM_MAX_NODES);
        if (add_note(&note, line) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    rc = finish(out, &b, a, a->source, what, note, err);
    note = NULL;
cleanup:
    free(note);
    free(picks);
    builder_free(&b);
    return rc;
}

int ap_diagram_authority(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                         ap_error *err)
{
    return reach_diagram(out, g, a, false, "Authority of", err);
}

int ap_diagram_blast(ap_diagram **out, const ap_graph *g, const ap_authority *a, ap_error *err)
{
    return reach_diagram(out, g, a, true, "Blast radius of", err);
}

int ap_diagram_paths(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                     const ap_paths *p, ap_error *err)
{
    builder b;
    char *note = NULL, line[200];
    uint32_t more = 0, deeper = 0, truncated = 0;
    int rc;
    *out = NULL;
    if ((rc = builder_init(&b, g, err)) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        if (s->npaths > 0)
            show_node(&b, s->target, AP_MARK_TARGET);
        more += s->more;
        deeper += s->deeper;
        truncated += s->truncated;
        for (uint32_t k = 0; k < s->npaths; k++) {
            /* each edge labelled with what the routes drawn through it carry over it */
            uint32_t len = s->off[k + 1] - s->off[k];
            ap_chain_step *steps = malloc(((size_t)len + 1) * sizeof *steps);
            if (steps == NULL)
                goto nomem;
            ap_authority_replay(g, a, s->edges + s->off[k], len, steps);
            for (uint32_t j = 0; j < len; j++)
                show_edge(&b, steps[j].edge, steps[j].carried, 0);
            free(steps);
        }
    }
    if (more > 0) {
        snprintf(line, sizeof line, "%u target%s: more paths than --max-paths %u (not all "
                 "drawn)", more, more == 1 ? "" : "s", p->max_paths);
        if (add_note(&note, line) < 0)
            goto nomem;
    }
    if (deeper > 0) {
        snprintf(line, sizeof line, "%u target%s: paths longer than --max-depth %u left out",
                 deeper, deeper == 1 ? "" : "s", p->max_depth);
        if (add_note(&note, line) < 0)
            goto nomem;
    }
    if (truncated > 0) {
        snprintf(line, sizeof line, "%u target%s: the search stopped at its work bound (not "
                 "all paths drawn)", truncated, truncated == 1 ? "" : "s");
        if (add_note(&note, line) < 0)
            goto nomem;
    }
    rc = finish(out, &b, a, a->source, "Paths from", note, err);
    note = NULL;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(note);
    builder_free(&b);
    return rc;
}

int ap_diagram_delegation(ap_diagram **out, const ap_graph *g, const ap_delegation *d,
                          int64_t partner, ap_error *err)
{
    builder b;
    char *note = NULL;
    uint32_t skipped = 0, unshown_loops = 0, unshown_partners = 0;
    int rc;
    *out = NULL;
    if ((rc = builder_init(&b, g, err)) < 0)
        goto cleanup;
    /* the partners involved, while they fit: the loops whole, then each chain's partner and
     * those it acts for (nearest first); then every link between two shown partners */
    if (partner >= 0)
        show_node(&b, (uint32_t)partner, 0);
    for (uint32_t i = 0; i < d->nloops; i++) {
        uint32_t cost = 0;
        for (uint32_t k = 0; k < d->loops[i].len && cost <= AP_DIAGRAM_MAX_NODES; k++)
            cost += !(b.nflag[d->loops[i].nodes[k]] & SHOWN);
        if (b.nshown + cost > AP_DIAGRAM_MAX_NODES) {
            unshown_loops++;
            continue;
        }
        for (uint32_t k = 0; k < d->loops[i].len; k++)
            show_node(&b, d->loops[i].nodes[k], 0);
    }
    for (uint32_t i = 0; i < d->nchains; i++) {
        const ap_chain *c = &d->chains[i];
        if (b.nshown + !(b.nflag[c->partner] & SHOWN) > AP_DIAGRAM_MAX_NODES) {
            unshown_partners += 1 + c->nacts + c->nmore;
            continue;
        }
        show_node(&b, c->partner, 0);
        for (uint32_t k = 0; k < c->nacts; k++) {
            if (b.nshown + !(b.nflag[c->acts_for[k]] & SHOWN) > AP_DIAGRAM_MAX_NODES) {
                unshown_partners += c->nacts - k;
                break;
            }
            show_node(&b, c->acts_for[k], 0);
        }
        unshown_partners += c->nmore;
    }
    for (uint32_t i = 0; i < d->nlinks; i++) {
        const ap_edge *e = ap_graph_edge(g, d->links[i]);
        if ((b.nflag[e->from] & SHOWN) && (b.nflag[e->to] & SHOWN))
            show_edge(&b, d->links[i], ap_edge_transfer(e, AP_RIGHTS_ALL), 0);
    }
    /* the chains through which one partner inherits another's authority, while they fit */
    for (uint32_t i = 0; i < d->ninherits; i++) {
        const ap_inherit *in = &d->inherits[i];
        uint32_t cost = 0;
        for (uint32_t k = 0; k < in->npath; k++)
            cost += !(b.nflag[ap_graph_edge(g, in->path[k])->to] & SHOWN);
        cost += !(b.nflag[in->heir] & SHOWN);
        if (b.nshown + cost > AP_DIAGRAM_MAX_NODES) {
            skipped++;
            continue;
        }
        show_node(&b, in->heir, 0);
        for (uint32_t k = 0; k < in->npath; k++)
            show_edge(&b, in->path[k], in->carried[k], 0);
    }
    if (unshown_loops > 0 || unshown_partners > 0 || skipped > 0 || d->inherits_more > 0) {
        char line[240];
        snprintf(line, sizeof line, "not drawn, to keep the diagram under %d nodes: %u loop%s, "
                 "%u places in chains, %u of %u inheritance chains (the text and JSON list "
                 "them)", AP_DIAGRAM_MAX_NODES, unshown_loops, unshown_loops == 1 ? "" : "s",
                 unshown_partners, skipped + d->inherits_more,
                 d->ninherits + d->inherits_more);
        if (add_note(&note, line) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    rc = finish(out, &b, NULL, partner, partner >= 0 ? "Delegation around" : "Delegation",
                note, err);
    note = NULL;
cleanup:
    free(note);
    builder_free(&b);
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
    builder b;
    uint8_t *toward = NULL;
    pick *picks = NULL;
    uint32_t np = 0, skipped, unshown_cut = 0, unshown_chokes = 0;
    char *note = NULL, line[200];
    int rc;
    *out = NULL;
    if (a->source != o->partner)
        return ap_error_set(err, AP_EBUG, "offboard diagram: the authority is not the "
                            "partner's");
    if ((rc = builder_init(&b, g, err)) < 0
        || (rc = toward_targets(&toward, g, a, o, err)) < 0)
        goto cleanup;
    if ((picks = malloc(((size_t)a->nreach + 1) * sizeof *picks)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* what must be seen, whatever the size: the cut edges, the choke points, their chains */
    show_node(&b, a->source, AP_MARK_SOURCE);
    for (uint32_t i = 0; i < o->ncut; i++) {
        const ap_edge *e = ap_graph_edge(g, o->cut[i]);
        uint32_t room = AP_DIAGRAM_MAX_FORCED - b.nshown;
        if (b.nshown >= AP_DIAGRAM_MAX_FORCED
            || witness_cost(&b, a, e->from, room) + !(b.nflag[e->to] & SHOWN) > room) {
            unshown_cut++;
            continue;
        }
        show_witness(&b, a, e->from);
        show_edge(&b, o->cut[i], ap_edge_transfer(e, a->rights[e->from]), AP_MARK_CUT);
    }
    for (uint32_t i = 0; i < o->nchokes; i++) {
        uint32_t v = o->chokes[i].node;
        if (b.nshown >= AP_DIAGRAM_MAX_FORCED
            || witness_cost(&b, a, v, AP_DIAGRAM_MAX_FORCED - b.nshown)
                   > AP_DIAGRAM_MAX_FORCED - b.nshown) {
            unshown_chokes++;
            continue;
        }
        show_witness(&b, a, v);
        b.nflag[v] |= AP_MARK_CHOKE;
    }
    /* then the targets, what lies between the partner and them, and the rest of the reach */
    for (uint32_t i = 0; i < a->nreach; i++) {
        uint32_t v = a->reach[i];
        picks[np++] = (pick){ v, toward[v], target_rank(ap_graph_node(g, v)), a->hops[v] };
    }
    skipped = show_picks(&b, a, picks, np);
    for (uint32_t i = 0; i < o->ntargets; i++)
        if (b.nflag[o->targets[i]] & SHOWN)
            b.nflag[o->targets[i]] |= AP_MARK_TARGET;
    show_carrying_between(&b, a);
    if (o->ntargets == 0)
        snprintf(line, sizeof line, "nothing to cut: no resource or workflow at or above %s "
                 "is reached", ap_sensitivity_name(o->min_sensitivity));
    else
        snprintf(line, sizeof line, "minimal revocation set: %u edge%s cut%s it off %u "
                 "target%s at or above %s; %u choke point%s", o->ncut, o->ncut == 1 ? "" : "s",
                 o->ncut == 1 ? "s" : "", o->ntargets, o->ntargets == 1 ? "" : "s",
                 ap_sensitivity_name(o->min_sensitivity), o->nchokes,
                 o->nchokes == 1 ? "" : "s");
    if (add_note(&note, line) < 0)
        goto nomem;
    if (unshown_cut > 0 || unshown_chokes > 0) {
        snprintf(line, sizeof line, "not drawn: %u cut edge%s and %u choke point%s whose "
                 "chains pass %d nodes (the text and JSON list them all)", unshown_cut,
                 unshown_cut == 1 ? "" : "s", unshown_chokes, unshown_chokes == 1 ? "" : "s",
                 AP_DIAGRAM_MAX_FORCED);
        if (add_note(&note, line) < 0)
            goto nomem;
    }
    if (skipped > 0) {
        snprintf(line, sizeof line, "%u of %u chains left out to keep the diagram under %d "
                 "nodes (the cut, the choke points and the targets first)", skipped, np,
                 AP_DIAGRAM_MAX_NODES);
        if (add_note(&note, line) < 0)
            goto nomem;
    }
    rc = finish(out, &b, a, a->source, "Offboarding", note, err);
    note = NULL;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(note);
    free(picks);
    free(toward);
    builder_free(&b);
    return rc;
}
