/* graph/derive.c: hypothetical graphs. A copy of a loaded graph with edges removed, edges added
 * and nodes revoked, for offboarding, what-if and expiry forecasts; the parent never changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* An edge with the parent index it came from, sorted together. */
typedef struct {
    ap_edge e;
    uint32_t origin;
} tagged_edge;

static int tagged_cmp(const void *a, const void *b)
{
    return ap_graph__edge_cmp(&((const tagged_edge *)a)->e, &((const tagged_edge *)b)->e);
}

static bool id_taken(const tagged_edge *edges, uint32_t m, const char *id)
{
    for (uint32_t i = 0; i < m; i++)
        if (strcmp(edges[i].e.id, id) == 0)
            return true;
    return false;
}

static const char *str(ap_graph *ng, const char *s)
{
    return ap_graph__intern(ng, (const unsigned char *)s);
}

static int check_edit(const ap_graph *g, const ap_graph_edit *edit, ap_error *err)
{
    for (size_t i = 0; i < edit->nremove; i++)
        if (edit->remove[i] >= g->m)
            return ap_error_set(err, AP_EINPUT, "edge %u to remove is out of range",
                                edit->remove[i]);
    for (size_t i = 0; i < edit->nrevoke; i++) {
        if (edit->revoke[i] >= g->n)
            return ap_error_set(err, AP_EINPUT, "node %u to revoke is out of range",
                                edit->revoke[i]);
        if (g->nodes[edit->revoke[i]].kind == AP_KIND_PARTNER)
            return ap_error_set(err, AP_EINPUT, "partner '%s' cannot be revoked (a partner's "
                                "state never stops traversal): remove its edges instead",
                                g->nodes[edit->revoke[i]].id);
    }
    for (size_t i = 0; i < edit->nadd; i++) {
        const ap_edge_spec *sp = &edit->add[i];
        if (sp->from >= g->n || sp->to >= g->n)
            return ap_error_set(err, AP_EINPUT, "an edge to add names a node out of range");
        if (sp->kind < 0 || sp->kind >= AP_EDGE_COUNT)
            return ap_error_set(err, AP_EINPUT, "an edge to add has no valid kind");
    }
    return AP_OK;
}

/* The added edge's id: the given one (which must be free), else from|kind|to[#k]. */
static int added_id(const char **out, ap_graph *ng, const tagged_edge *edges, uint32_t m,
                    const ap_edge_spec *sp, ap_error *err)
{
    char buf[1024];
    if (sp->id != NULL) {
        if (id_taken(edges, m, sp->id))
            return ap_error_set(err, AP_EINPUT, "edge id '%s' is already taken", sp->id);
        snprintf(buf, sizeof buf, "%s", sp->id);
    } else {
        int len = snprintf(buf, sizeof buf, "%s|%s|%s", ng->nodes[sp->from].id,
                           ap_edge_kind_name(sp->kind), ng->nodes[sp->to].id);
        if (len < 0 || (size_t)len >= sizeof buf - 12)
            return ap_error_set(err, AP_EINPUT, "the id of an edge to add is too long");
        for (unsigned k = 2; id_taken(edges, m, buf); k++)
            snprintf(buf + len, sizeof buf - (size_t)len, "#%u", k);
    }
    if ((*out = str(ng, buf)) == NULL)
        return ap_error_nomem(err);
    return AP_OK;
}

/* The added edge's attributes: marked hypothetical, with its expiry when it has one. */
static const char *added_attrs(ap_graph *ng, const ap_edge_spec *sp)
{
    json_t *o = json_object();
    char *text;
    const char *out;
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "hypothetical", json_true());
    if (sp->expires != AP_TIME_NONE) {
        char when[32];
        ap_time_format(when, sizeof when, sp->expires);
        json_object_set_new(o, "expires", json_string(when));
    }
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    out = text != NULL ? str(ng, text) : NULL;
    free(text);
    return out;
}

static int copy_catalogue(ap_graph *ng, const ap_graph *g, ap_error *err)
{
    ng->vocab = g->vocab;
    for (unsigned i = 0; i < AP_MAX_RIGHTS; i++) {
        if (g->vocab_names[i] == NULL)
            continue;
        if ((ng->vocab_names[i] = strdup(g->vocab_names[i])) == NULL)
            return ap_error_nomem(err);
        ng->vocab.names[i] = ng->vocab_names[i];
    }
    ng->nsources = g->nsources;
    if ((ng->sources = calloc(g->nsources + 1, sizeof *ng->sources)) == NULL)
        return ap_error_nomem(err);
    for (size_t i = 0; i < g->nsources; i++) {
        ng->sources[i].id = g->sources[i].id;
        ng->sources[i].snap = g->sources[i].snap;
        if ((ng->sources[i].path = strdup(g->sources[i].path)) == NULL)
            return ap_error_nomem(err);
    }
    return AP_OK;
}

int ap_graph_derive(ap_graph **out, const ap_graph *g, const ap_graph_edit *edit, ap_error *err)
{
    ap_graph *ng = NULL;
    tagged_edge *edges = NULL;
    bool *gone = NULL;
    uint32_t m = 0;
    int rc;
    *out = NULL;
    if ((rc = ap_graph__full((ap_graph *)g, err)) < 0 || (rc = check_edit(g, edit, err)) < 0)
        return rc;
    if ((ng = calloc(1, sizeof *ng)) == NULL || (gone = calloc(g->m + 1, sizeof *gone)) == NULL
        || (ng->nodes = calloc((size_t)g->n + 1, sizeof *ng->nodes)) == NULL
        || (edges = calloc((size_t)g->m + edit->nadd + 1, sizeof *edges)) == NULL)
        goto nomem;
    ng->snap = g->snap;
    ng->at = g->at;
    ng->n = g->n;

    /* Nodes: the same indices (the order is by id and no node comes or goes). */
    for (uint32_t v = 0; v < g->n; v++) {
        ap_node *nd = &ng->nodes[v];
        *nd = g->nodes[v];
        if ((nd->id = str(ng, g->nodes[v].id)) == NULL
            || (nd->attrs = str(ng, g->nodes[v].attrs)) == NULL)
            goto nomem;
    }
    for (size_t i = 0; i < edit->nrevoke; i++) {
        ng->nodes[edit->revoke[i]].state = AP_STATE_REVOKED;
        ng->nodes[edit->revoke[i]].live = false;
    }

    /* Edges: the parent's minus the removed ones, then the added ones. */
    for (size_t i = 0; i < edit->nremove; i++)
        gone[edit->remove[i]] = true;
    for (uint32_t e = 0; e < g->m; e++) {
        if (gone[e])
            continue;
        edges[m].e = g->edges[e];
        edges[m].origin = e;
        if ((edges[m].e.id = str(ng, g->edges[e].id)) == NULL
            || (edges[m].e.attrs = str(ng, g->edges[e].attrs)) == NULL)
            goto nomem;
        m++;
    }
    for (size_t i = 0; i < edit->nadd; i++) {
        const ap_edge_spec *sp = &edit->add[i];
        ap_edge *e = &edges[m].e;
        memset(e, 0, sizeof *e);
        if ((rc = added_id(&e->id, ng, edges, m, sp, err)) < 0)
            goto cleanup;
        if ((e->attrs = added_attrs(ng, sp)) == NULL)
            goto nomem;
        e->from = sp->from;
        e->to = sp->to;
        e->kind = sp->kind;
        e->rights = sp->rights;
        e->requires = sp->requires;
        e->escalates = sp->escalates;
        e->declared = sp->declared;
        e->traversable = sp->kind != AP_EDGE_DEPENDS_ON;
        e->state = AP_STATE_ACTIVE;
        e->valid_from = AP_TIME_NONE;
        e->expires = sp->expires;
        e->own_live = sp->expires == AP_TIME_NONE || g->at < sp->expires;
        e->file = 0;
        edges[m].origin = UINT32_MAX;
        m++;
    }

    /* Sort once here with the origins alongside; ap_graph__index then finds them in order. */
    if (m > 1)
        qsort(edges, m, sizeof *edges, tagged_cmp);
    if ((ng->edges = malloc(((size_t)m + 1) * sizeof *ng->edges)) == NULL
        || (ng->origin = malloc(((size_t)m + 1) * sizeof *ng->origin)) == NULL)
        goto nomem;
    for (uint32_t i = 0; i < m; i++) {
        ng->edges[i] = edges[i].e;
        ng->origin[i] = edges[i].origin;
    }
    ng->m = m;
    if ((rc = ap_graph__index(ng, err)) < 0 || (rc = copy_catalogue(ng, g, err)) < 0)
        goto cleanup;
    if ((ng->node_json = calloc((size_t)ng->n + 1, sizeof *ng->node_json)) == NULL
        || (ng->edge_json = calloc((size_t)ng->m + 1, sizeof *ng->edge_json)) == NULL)
        goto nomem;
    *out = ng;
    ng = NULL;
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(edges);
    free(gone);
    ap_graph_free(ng);
    return rc;
}

uint32_t ap_graph_edge_origin(const ap_graph *g, uint32_t e)
{
    return g->origin != NULL ? g->origin[e] : e;
}

int64_t ap_graph_find_edge(const ap_graph *g, const char *id)
{
    for (uint32_t e = 0; e < g->m; e++)
        if (strcmp(ap_graph_edge(g, e)->id, id) == 0)
            return e;
    return -1;
}
