/* query/diagram_build.c: the diagram builder that every kind of diagram shares: which nodes
 * and edges are shown, in which tier, their marks (loops, shared and expired-but-live
 * credentials), what the reach leaves out counted per domain, and the finished ap_diagram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagram_internal.h"

int ap_diagram__init(ap_diagram_builder *b, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    b->g = g;
    b->nshown = 0;
    b->nflag = calloc((size_t)n + 1, sizeof *b->nflag);
    b->eflag = calloc((size_t)m + 1, sizeof *b->eflag);
    b->erights = calloc((size_t)m + 1, sizeof *b->erights);
    b->ntier = calloc((size_t)n + 1, sizeof *b->ntier);
    b->etier = calloc((size_t)m + 1, sizeof *b->etier);
    b->tier = 0;
    if (b->nflag == NULL || b->eflag == NULL || b->erights == NULL || b->ntier == NULL
        || b->etier == NULL)
        return ap_error_nomem(err);
    return AP_OK;
}

void ap_diagram__release(ap_diagram_builder *b)
{
    free(b->nflag);
    free(b->eflag);
    free(b->erights);
    free(b->ntier);
    free(b->etier);
}

void ap_diagram__show_node(ap_diagram_builder *b, uint32_t v, unsigned marks)
{
    if (!(b->nflag[v] & AP_DIAGRAM_SHOWN)) {
        b->nshown++;
        b->ntier[v] = b->tier;
    }
    b->nflag[v] |= AP_DIAGRAM_SHOWN | marks;
}

void ap_diagram__show_edge(ap_diagram_builder *b, uint32_t e, ap_rights r, unsigned marks)
{
    const ap_edge *ed = ap_graph_edge(b->g, e);
    ap_diagram__show_node(b, ed->from, 0);
    ap_diagram__show_node(b, ed->to, 0);
    if (!(b->eflag[e] & AP_DIAGRAM_SHOWN)) {
        uint32_t t = b->tier > b->ntier[ed->from] ? b->tier : b->ntier[ed->from];
        b->etier[e] = t > b->ntier[ed->to] ? t : b->ntier[ed->to];
    }
    b->eflag[e] |= AP_DIAGRAM_SHOWN | marks;
    b->erights[e] |= r;
}

/* v's witness path (ap_authority_path) with what it carries over each step: *steps owns it
 * (free()); 0 and NULL when v has none or memory runs out. */
static size_t witness_steps(const ap_diagram_builder *b, const ap_authority *a, uint32_t v,
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

uint32_t ap_diagram__witness_cost(const ap_diagram_builder *b, const ap_authority *a, uint32_t v,
                             uint32_t limit)
{
    ap_chain_step *steps;
    size_t len = witness_steps(b, a, v, &steps);
    uint32_t k = !(b->nflag[v] & AP_DIAGRAM_SHOWN);
    for (size_t i = 0; i + 1 < len && k <= limit; i++)
        k += !(b->nflag[ap_graph_edge(b->g, steps[i].edge)->to] & AP_DIAGRAM_SHOWN);
    free(steps);
    return k;
}

void ap_diagram__show_witness(ap_diagram_builder *b, const ap_authority *a, uint32_t v)
{
    ap_chain_step *steps;
    size_t len = witness_steps(b, a, v, &steps);
    ap_diagram__show_node(b, v, 0);
    for (size_t i = 0; i < len; i++)
        ap_diagram__show_edge(b, steps[i].edge, steps[i].carried, 0);
    free(steps);
}

void ap_diagram__show_carrying(ap_diagram_builder *b, const ap_authority *a)
{
    uint32_t tier = b->tier;
    b->tier = 0;                    /* the ends' tiers decide */
    for (uint32_t e = 0; e < ap_graph_edge_count(b->g); e++) {
        const ap_edge *ed = ap_graph_edge(b->g, e);
        if ((b->nflag[ed->from] & AP_DIAGRAM_SHOWN) && (b->nflag[ed->to] & AP_DIAGRAM_SHOWN)
            && ap_authority_carries(b->g, a, ed))
            ap_diagram__show_edge(b, e, ap_edge_transfer(ed, a->rights[ed->from]), 0);
    }
    b->tier = tier;
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
static int mark_loops(ap_diagram_builder *b, ap_error *err)
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
        if (!(b->eflag[e] & AP_DIAGRAM_SHOWN))
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
        if ((b->eflag[e] & AP_DIAGRAM_SHOWN) && VECTOR(memb)[ed->from] == VECTOR(memb)[ed->to]) {
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
    for (uint32_t i = 0; i < d->nfans; i++)
        free(d->fans[i].edges);
    free(d->fans);
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
static int collapse(ap_diagram *d, const ap_diagram_builder *b, const ap_authority *a,
                    ap_error *err)
{
    const ap_graph *g = b->g;
    uint32_t n = ap_graph_node_count(g), nl = 0, ng = 0, nnear = 0;
    left_out *l = malloc(((size_t)n + 1) * sizeof *l);
    group *gr = NULL;
    if (l == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        if (!(b->nflag[v] & AP_DIAGRAM_SHOWN) && v != a->source && a->rights[v] != 0)
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

int ap_diagram__add_note(char **note, const char *line)
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

/* Turn the builder into a diagram (diagram_internal.h). */
int ap_diagram__finish(ap_diagram **out, ap_diagram_builder *b, const ap_authority *a,
                       int64_t source, ap_diagram_kind kind, const char *what, char *note,
                       ap_error *err)
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
    d->kind = kind;
    if (source >= 0)
        ap_diagram__show_node(b, (uint32_t)source, AP_MARK_SOURCE);
    if ((rc = mark_loops(b, err)) < 0)
        goto fail;
    d->nodes = malloc(((size_t)b->nshown + 1) * sizeof *d->nodes);
    d->edges = malloc(((size_t)m + 1) * sizeof *d->edges);
    if (d->nodes == NULL || d->edges == NULL)
        goto nomem;
    for (uint32_t v = 0; v < n; v++)
        if (b->nflag[v] & AP_DIAGRAM_SHOWN) {
            unsigned marks = (b->nflag[v] & ~AP_DIAGRAM_SHOWN) | credential_marks(g, v);
            d->nodes[d->nnodes++] = (ap_diagram_node){ v, marks, b->ntier[v] };
            d->ntiers = b->ntier[v] >= d->ntiers ? b->ntier[v] + 1 : d->ntiers;
        }
    if (a != NULL && (rc = collapse(d, b, a, err)) < 0)
        goto fail;
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (b->eflag[e] & AP_DIAGRAM_SHOWN) {
            unsigned marks = b->eflag[e] & ~AP_DIAGRAM_SHOWN;
            if (ed->escalates)
                marks |= AP_MARK_ESCALATION;
            if (strcmp(ap_node_domain(g, ed->from), ap_node_domain(g, ed->to)) != 0)
                marks |= AP_MARK_BOUNDARY;
            d->edges[d->nedges++] = (ap_diagram_edge){ e, b->erights[e], marks, b->etier[e] };
            d->ntiers = b->etier[e] >= d->ntiers ? b->etier[e] + 1 : d->ntiers;
        } else if (a != NULL && ap_authority_carries(g, a, ed)) {
            d->collapsed_edges++;
        }
    }
    if (d->collapsed_nodes > 0 || d->collapsed_edges > 0) {
        snprintf(line, sizeof line, "collapsed: %u reached nodes and %u authority-carrying "
                 "edges not on a shown path", d->collapsed_nodes, d->collapsed_edges);
        if (ap_diagram__add_note(&d->note, line) < 0)
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

