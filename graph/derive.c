/* graph/derive.c: hypothetical graphs. A loaded graph with edges removed, edges added and nodes
 * revoked, for offboarding, what-if and expiry forecasts, sharing the parent's edge records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "graph_internal.h"

/* An edge id is taken when an edge the parent keeps or one added before has it: taken holds
 * them as keys. A scan of every edge for each added one made `what-if --narrow-to-observed`,
 * which adds an edge per narrowed grant, quadratic: 46 s for 2,000 identities. */
static bool id_taken(const json_t *taken, const char *id)
{
    return json_object_get(taken, id) != NULL;
}

/* The ids of the edges the parent keeps, as the keys of a new object (NULL: out of memory). */
static json_t *kept_ids(const ap_graph *g, const bool *gone)
{
    json_t *taken = json_object();
    for (uint32_t e = 0; taken != NULL && e < g->m; e++)
        if (!gone[e] && json_object_set_new_nocheck(taken, ap_graph_edge(g, e)->id,
                                                    json_true()) < 0) {
            json_decref(taken);
            taken = NULL;
        }
    return taken;
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
    if ((uint64_t)g->m + edit->nadd >= AP_OWN_EDGE)
        return ap_error_set(err, AP_EINPUT, "a derived graph holds at most %u edges",
                            AP_OWN_EDGE - 1);
    return AP_OK;
}

/* The added edge's id: the given one (which must be free), else from|kind|to[#k]. Ids are
 * as long as the nodes' (64 KiB and more): the buffer is sized to them. */
static int added_id(const char **out, ap_graph *ng, json_t *taken, const ap_edge_spec *sp,
                    ap_error *err)
{
    const char *from = ng->nodes[sp->from].id, *kind = ap_edge_kind_name(sp->kind),
               *to = ng->nodes[sp->to].id;
    size_t size = sp->id != NULL ? strlen(sp->id) + 1
                                 : strlen(from) + strlen(kind) + strlen(to) + 3 + 12;
    char *buf = malloc(size);
    int rc = AP_OK;
    if (buf == NULL)
        return ap_error_nomem(err);
    if (sp->id != NULL) {
        if (id_taken(taken, sp->id)) {
            rc = ap_error_set(err, AP_EINPUT, "edge id '%s' is already taken", sp->id);
            goto cleanup;
        }
        memcpy(buf, sp->id, size);
    } else {
        int len = snprintf(buf, size, "%s|%s|%s", from, kind, to);
        for (unsigned k = 2; id_taken(taken, buf); k++)
            snprintf(buf + len, size - (size_t)len, "#%u", k);
    }
    if ((*out = str(ng, buf)) == NULL
        || json_object_set_new_nocheck(taken, buf, json_true()) < 0)
        rc = ap_error_nomem(err);
cleanup:
    free(buf);
    return rc;
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

/* The edits' added edges, named, live at the graph's time and in edge order. */
static int added_edges(ap_edge **out, ap_graph *ng, const ap_graph *g, const bool *gone,
                       const ap_graph_edit *edit, ap_error *err)
{
    ap_edge *added = calloc(edit->nadd + 1, sizeof *added);
    json_t *taken = edit->nadd > 0 ? kept_ids(g, gone) : NULL;
    int rc = AP_OK;
    *out = added;
    if (added == NULL || (edit->nadd > 0 && taken == NULL)) {
        json_decref(taken);
        return ap_error_nomem(err);
    }
    for (size_t i = 0; i < edit->nadd; i++) {
        const ap_edge_spec *sp = &edit->add[i];
        ap_edge *e = &added[i];
        if ((rc = added_id(&e->id, ng, taken, sp, err)) < 0)
            break;
        if ((e->attrs = added_attrs(ng, sp)) == NULL) {
            rc = ap_error_nomem(err);
            break;
        }
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
        e->live = e->own_live && ng->nodes[e->from].live && ng->nodes[e->to].live;
        e->file = 0;
    }
    json_decref(taken);
    if (rc < 0)
        return rc;
    if (edit->nadd > 1)
        qsort(added, edit->nadd, sizeof *added, ap_graph__edge_cmp);
    return AP_OK;
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

/* g's share, made at its first derivation from what a loaded graph owns (a derived graph has
 * one already); NULL when out of memory. */
static ap_graph_share *share_of(ap_graph *g)
{
    ap_graph_share *s = g->share;
    if (s != NULL)
        return s;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    atomic_init(&s->refs, 1);   /* g's own */
    s->edges = g->edges;        /* g still reads them; ap_graph_free() leaves them to s */
    s->strings = g->strings;
    g->strings = NULL;
    s->image = g->image;
    s->image_len = g->image_len;
    s->holes = g->holes;
    g->share = s;
    return s;
}

void ap_graph__release_share(ap_graph *g)
{
    ap_graph_share *s = g->share;
    if (s == NULL)
        return;
    if (g->edges == s->edges)
        g->edges = NULL;
    if (g->image == s->image)
        g->image = NULL;
    g->share = NULL;
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    free(s->edges);
    while (s->strings != NULL) {
        ap_chunk *next = s->strings->next;
        free(s->strings);
        s->strings = next;
    }
    ap_graph__image_unmap(s->image, s->image_len, &s->holes);
    free(s);
}

/* Append e to ng's own edges; its index with AP_OWN_EDGE, or UINT32_MAX when out of memory.
 * rename: its strings are the parent's own (a derived parent's added edge), so ng copies them. */
static uint32_t own_edge(ap_graph *ng, uint32_t *cap, const ap_edge *e, bool rename)
{
    if (ng->nown == *cap) {
        uint32_t ncap = *cap ? 2 * *cap : 64;
        ap_edge *p = realloc(ng->own, (size_t)ncap * sizeof *p);
        if (p == NULL)
            return UINT32_MAX;
        ng->own = p;
        *cap = ncap;
    }
    ap_edge *o = &ng->own[ng->nown];
    *o = *e;
    if (rename && ((o->id = str(ng, e->id)) == NULL || (o->attrs = str(ng, e->attrs)) == NULL))
        return UINT32_MAX;
    return ng->nown++ | AP_OWN_EDGE;
}

/* ng's edges: the parent's in their order less the removed ones, the added ones merged in
 * (both runs are in edge order). A kept edge is the shared record unless the edit revoked one
 * of its live ends: then a copy of its own, not live. */
static int merge_edges(ap_graph *ng, const ap_graph *g, const bool *gone,
                       const ap_edge *added, size_t nadd, ap_error *err)
{
    uint32_t cap = 0, m = 0, e = 0;
    size_t a = 0;
    uint64_t total = nadd;
    for (uint32_t i = 0; i < g->m; i++)
        total += !gone[i];
    if ((ng->ref = ap_graph__big((size_t)total + 1, sizeof *ng->ref)) == NULL
        || (ng->origin = ap_graph__big((size_t)total + 1, sizeof *ng->origin)) == NULL)
        return ap_error_nomem(err);
    while (e < g->m || a < nadd) {
        while (e < g->m && gone[e])
            e++;
        if (e >= g->m && a >= nadd)
            break;
        const ap_edge *pe = e < g->m ? ap_graph_edge(g, e) : NULL;
        uint32_t r;
        if (pe == NULL || (a < nadd && ap_graph__edge_cmp(&added[a], pe) < 0)) {
            r = own_edge(ng, &cap, &added[a], false);
            ng->origin[m] = UINT32_MAX;
            a++;
        } else {
            bool mine = g->ref != NULL && (g->ref[e] & AP_OWN_EDGE) != 0;
            bool dies = pe->live && !(ng->nodes[pe->from].live && ng->nodes[pe->to].live);
            if (dies || mine) {
                ap_edge copy = *pe;
                copy.live = copy.live && !dies;
                r = own_edge(ng, &cap, &copy, mine);
            } else {
                r = g->ref != NULL ? g->ref[e] : e;
            }
            ng->origin[m] = e++;
        }
        if (r == UINT32_MAX)
            return ap_error_nomem(err);
        ng->ref[m++] = r;
    }
    ng->m = m;
    return AP_OK;
}

/* The out-rows, in-rows and in-edges of ng's edges. */
static int index_rows(ap_graph *ng, ap_error *err)
{
    uint32_t *fill;
    if ((ng->off = ap_graph__big((size_t)ng->n + 1, sizeof *ng->off)) == NULL
        || (ng->in_off = ap_graph__big((size_t)ng->n + 1, sizeof *ng->in_off)) == NULL
        || (ng->in_edge = ap_graph__big((size_t)ng->m + 1, sizeof *ng->in_edge)) == NULL
        || (fill = ap_graph__big((size_t)ng->n + 1, sizeof *fill)) == NULL)
        return ap_error_nomem(err);
    memset(ng->off, 0, ((size_t)ng->n + 1) * sizeof *ng->off);
    memset(ng->in_off, 0, ((size_t)ng->n + 1) * sizeof *ng->in_off);
    for (uint32_t i = 0; i < ng->m; i++) {
        const ap_edge *e = ap_graph_edge(ng, i);
        ng->off[e->from + 1]++;
        ng->in_off[e->to + 1]++;
    }
    for (uint32_t v = 0; v < ng->n; v++) {
        ng->off[v + 1] += ng->off[v];
        ng->in_off[v + 1] += ng->in_off[v];
    }
    memcpy(fill, ng->in_off, ((size_t)ng->n + 1) * sizeof *fill);
    for (uint32_t i = 0; i < ng->m; i++)
        ng->in_edge[fill[ap_graph_edge(ng, i)->to]++] = i;
    free(fill);
    return AP_OK;
}

int ap_graph_derive(ap_graph **out, const ap_graph *g, const ap_graph_edit *edit, ap_error *err)
{
    ap_graph *ng = NULL;
    ap_edge *added = NULL;
    bool *gone = NULL;
    ap_graph_share *share;
    int rc;
    *out = NULL;
    if ((rc = ap_graph__full((ap_graph *)g, err)) < 0 || (rc = check_edit(g, edit, err)) < 0)
        return rc;
    /* the share is g's to give: deriving changes what g owns, never what it holds */
    if ((share = share_of((ap_graph *)g)) == NULL || (ng = calloc(1, sizeof *ng)) == NULL)
        goto nomem;
    atomic_fetch_add(&share->refs, 1);
    ng->share = share;
    if ((gone = calloc((size_t)g->m + 1, sizeof *gone)) == NULL
        || (ng->nodes = ap_graph__big((size_t)g->n + 1, sizeof *ng->nodes)) == NULL)
        goto nomem;
    ng->snap = g->snap;
    ng->at = g->at;
    ng->n = g->n;

    /* Nodes: the same indices (the order is by id and no node comes or goes); their strings
     * are the share's. */
    memcpy(ng->nodes, g->nodes, (size_t)g->n * sizeof *ng->nodes);
    for (size_t i = 0; i < edit->nrevoke; i++) {
        ng->nodes[edit->revoke[i]].state = AP_STATE_REVOKED;
        ng->nodes[edit->revoke[i]].live = false;
    }
    for (size_t i = 0; i < edit->nremove; i++)
        gone[edit->remove[i]] = true;
    if ((rc = added_edges(&added, ng, g, gone, edit, err)) < 0
        || (rc = merge_edges(ng, g, gone, added, edit->nadd, err)) < 0
        || (rc = index_rows(ng, err)) < 0 || (rc = copy_catalogue(ng, g, err)) < 0)
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
    free(added);
    free(gone);
    ap_graph_free(ng);
    return rc;
}

/* The liveness edge e of derived graph d has under d's nodes: what merge_edges() and
 * added_edges() give it (live in the parent, or for an added edge its own, with both ends). */
static bool edge_live(const ap_graph *d, const ap_graph *parent, uint32_t e, const ap_edge *ed)
{
    bool own = d->origin[e] != UINT32_MAX ? ap_graph_edge(parent, d->origin[e])->live
                                          : ed->own_live;
    return own && d->nodes[ed->from].live && d->nodes[ed->to].live;
}

/* Set the liveness of v's edges that d holds a record of its own for (those its edit changed:
 * the parent's shared records are never written). */
static void relive_edges(ap_graph *d, const ap_graph *parent, uint32_t v)
{
    for (uint32_t pass = 0; pass < 2; pass++) {
        uint32_t lo = pass == 0 ? d->off[v] : d->in_off[v];
        uint32_t hi = pass == 0 ? d->off[v + 1] : d->in_off[v + 1];
        for (uint32_t i = lo; i < hi; i++) {
            uint32_t e = pass == 0 ? i : d->in_edge[i];
            if (d->ref[e] & AP_OWN_EDGE) {
                ap_edge *own = &d->own[d->ref[e] & ~AP_OWN_EDGE];
                own->live = edge_live(d, parent, e, own);
            }
        }
    }
}

/* The first edge of via's out-row whose head is at least v (rows are in (from, to, id) order). */
int ap_graph_reinstate(ap_graph *d, const ap_graph *parent, uint32_t v, uint32_t via,
                       ap_error *err)
{
    if (d->origin == NULL || d->ref == NULL || parent->nodes == NULL || parent->n != d->n)
        return ap_error_set(err, AP_EBUG, "reinstating a node of a graph not derived from "
                            "the one given");
    if (d->re_on)
        return ap_error_set(err, AP_EBUG, "node %u is reinstated already", d->re_node);
    if ((v != UINT32_MAX && v >= d->n) || (via != UINT32_MAX && via >= d->n))
        return ap_error_set(err, AP_EBUG, "node to reinstate out of range");
    d->re_on = true;
    d->re_node = v;
    if (v != UINT32_MAX) {
        d->re_saved = d->nodes[v];
        d->nodes[v].state = parent->nodes[v].state;
        d->nodes[v].live = parent->nodes[v].live;
        relive_edges(d, parent, v);
    }
    if (via != UINT32_MAX) {
        d->re_via = via;
        /* the whole row still: re_narrow is set below */
        d->re_begin = v != UINT32_MAX ? ap_graph_out_first_to(d, via, v) : d->off[via];
        d->re_end = v == UINT32_MAX ? d->re_begin
                    : v + 1 < d->n ? ap_graph_out_first_to(d, via, v + 1) : d->off[via + 1];
        d->re_narrow = true;
    }
    return AP_OK;
}

void ap_graph_reinstate_undo(ap_graph *d, const ap_graph *parent)
{
    if (!d->re_on)
        return;
    if (d->re_node != UINT32_MAX) {
        d->nodes[d->re_node] = d->re_saved;
        relive_edges(d, parent, d->re_node);
    }
    d->re_on = false;
    d->re_narrow = false;
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
