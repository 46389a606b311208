/* graph/store_diff.c: a later import compared with the latest snapshot's graph image in C (one
 * merge in id order) instead of in SQL: only the rows that changed are written. */
#include <stdlib.h>
#include <string.h>

#include "image_format.h"

#define NONE UINT32_MAX

typedef struct {
    ap_store *st;
    const ap_stage *sg;
    const ap_graph *old;            /* partial load: its records are read raw */
    const char *ostr;               /* the old image's strings */
    uint32_t *by_rank, *rank, *order;
    uint32_t *node_old, *edge_old;  /* kept: the old record; NONE: a new row */
    uint32_t *gnew, *gold;          /* each id's place in the union of both id lists */
    sqlite3_stmt *ident, *close_node, *add_node, *close_edge, *add_edge;
} diff;

static const char *attrs_or_empty(const char *s) { return s != NULL ? s : "{}"; }

static img_node old_node(const diff *d, uint32_t v)
{
    img_node r;
    memcpy(&r, d->old->rec_nodes + (size_t)v * sizeof r, sizeof r);
    return r;
}

static img_edge old_edge(const diff *d, uint32_t i)
{
    img_edge r;
    memcpy(&r, d->old->rec_edges + (size_t)i * sizeof r, sizeof r);
    return r;
}

/* Every FORGET records, the merge lets go of the old image's pages behind record j of recs
 * (each of size bytes) and behind the strings of j, whose id starts at str: it reads both in
 * order, once (the strings lie in record order; a shared one read again comes back). */
#define FORGET 65536u

static void forget_behind(const diff *d, const uint8_t *recs, size_t size, uint32_t j,
                          uint64_t str)
{
    if (j == 0 || j % FORGET != 0)
        return;
    ap_graph__image_forget(d->old, recs, recs + (size_t)j * size);
    ap_graph__image_forget(d->old, d->ostr, d->ostr + str);
}

static int step(const diff *d, sqlite3_stmt *s, ap_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AP_OK
                             : ap_store__sqlerr(err, d->st->db, AP_EIO, "writing the snapshot");
}

/* Close the open row of id; never one this import wrote (an edge whose id moved to other ends
 * may be inserted before its old row comes up in the merge). */
static int close_row(const diff *d, sqlite3_stmt *s, const char *id, ap_error *err)
{
    sqlite3_bind_int64(s, 1, d->st->snap);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    return step(d, s, err);
}

/* Nodes: both lists are in id order. A staged node is kept when the open row of its id has its
 * kind and attributes (what the SQL version compares); every other open row is closed and
 * every other staged node inserted, after its id is interned. */
static int merge_nodes(diff *d, ap_error *err)
{
    const ap_stage *sg = d->sg;
    uint32_t i = 0, j = 0, g = 0, on = d->old->n;
    int rc;
    while (i < sg->nnodes || j < on) {
        const ap_stage_node *nd = i < sg->nnodes ? &AP_SEG(sg->nodes, d->by_rank[i]) : NULL;
        const char *id = nd != NULL ? AP_SEG(sg->syms, nd->sym).id : NULL;
        img_node r = j < on ? old_node(d, j) : (img_node){0};
        forget_behind(d, d->old->rec_nodes, sizeof r, j, r.id);
        int c = nd == NULL ? 1 : j >= on ? -1 : strcmp(id, d->ostr + r.id);
        if (c >= 0) {
            d->gold[j] = g;
            if (c > 0 || r.kind != nd->kind
                || strcmp(d->ostr + r.attrs, attrs_or_empty(nd->attrs)) != 0)
                if ((rc = close_row(d, d->close_node, d->ostr + r.id, err)) < 0)
                    return rc;
        }
        if (c <= 0) {
            d->gnew[i] = g;
            d->node_old[i] = NONE;
            if (c == 0 && r.kind == nd->kind
                && strcmp(d->ostr + r.attrs, attrs_or_empty(nd->attrs)) == 0) {
                d->node_old[i] = j;
            } else {
                if (c < 0) {
                    sqlite3_bind_text(d->ident, 1, id, -1, SQLITE_STATIC);
                    if ((rc = step(d, d->ident, err)) < 0)
                        return rc;
                }
                sqlite3_bind_text(d->add_node, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(d->add_node, 2, d->st->snap);
                ap_store__bind_node(d->add_node, 3, sg, nd);
                if ((rc = step(d, d->add_node, err)) < 0)
                    return rc;
            }
        }
        i += c <= 0;
        j += c >= 0;
        g++;
    }
    return AP_OK;
}

/* An edge is kept when the open row of its id has its ends and every field the SQL version
 * compares (provenance aside). */
static bool same_edge(const ap_stage_edge *e, const img_edge *r, const char *ostr)
{
    return r->kind == e->kind && r->rights == e->rights && r->requires == e->requires
           && (r->escalates != 0) == (e->escalates != 0)
           && (r->declared != 0) == (e->declared != 0) && r->state == e->state
           && r->valid_from == e->valid_from && r->expires == e->expires
           && strcmp(ostr + r->attrs, attrs_or_empty(e->attrs)) == 0;
}

/* Edges: both lists are in graph order, (source, target, id) with nodes in id order, so by
 * (source's place, target's place, id) in the union of the id lists. */
static int merge_edges(diff *d, ap_error *err)
{
    const ap_stage *sg = d->sg;
    uint32_t i = 0, j = 0, om = d->old->m;
    int rc;
    while (i < sg->nedges || j < om) {
        const ap_stage_edge *e = i < sg->nedges ? &AP_SEG(sg->edges, d->order[i]) : NULL;
        img_edge r = j < om ? old_edge(d, j) : (img_edge){0};
        forget_behind(d, d->old->rec_edges, sizeof r, j, r.id);
        int c;
        if (e == NULL)
            c = 1;
        else if (j >= om)
            c = -1;
        else {
            uint32_t ns = d->gnew[d->rank[e->src]], nt = d->gnew[d->rank[e->dst]];
            uint32_t os = d->gold[r.from], ot = d->gold[r.to];
            c = ns != os ? (ns < os ? -1 : 1) : nt != ot ? (nt < ot ? -1 : 1)
                                                        : strcmp(e->id, d->ostr + r.id);
        }
        bool kept = c == 0 && same_edge(e, &r, d->ostr);
        if (c >= 0 && !kept && (rc = close_row(d, d->close_edge, d->ostr + r.id, err)) < 0)
            return rc;
        if (c <= 0) {
            d->edge_old[i] = kept ? j : NONE;
            if (!kept) {
                sqlite3_stmt *s = d->add_edge;
                sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
                sqlite3_bind_text(s, 2, AP_SEG(sg->syms, e->src).id, -1, SQLITE_STATIC);
                sqlite3_bind_text(s, 3, AP_SEG(sg->syms, e->dst).id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(s, 4, d->st->snap);
                ap_store__bind_edge(s, 5, sg, e);
                if ((rc = step(d, s, err)) < 0)
                    return rc;
            }
        }
        i += c <= 0;
        j += c >= 0;
    }
    return AP_OK;
}

static int prepare_all(diff *d, ap_error *err)
{
    int rc;
    if ((rc = ap_store__prepare(d->st, &d->ident, "INSERT OR IGNORE INTO ident(id) VALUES (?1)",
                                err)) < 0
        || (rc = ap_store__prepare(d->st, &d->close_node, "UPDATE node SET snap_to = ?1"
                 " WHERE snap_to IS NULL AND key = (SELECT key FROM ident WHERE id = ?2)"
                 " AND snap_from < ?1", err)) < 0
        || (rc = ap_store__prepare(d->st, &d->add_node, "INSERT INTO node(key, snap_from, kind,"
                 " state, valid_from, expires, sensitivity, attrs, file, line, col) VALUES"
                 " ((SELECT key FROM ident WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                 " ?11)", err)) < 0
        || (rc = ap_store__prepare(d->st, &d->close_edge, "UPDATE edge SET snap_to = ?1"
                 " WHERE id = ?2 AND snap_to IS NULL AND snap_from < ?1", err)) < 0
        || (rc = ap_store__prepare(d->st, &d->add_edge, "INSERT INTO edge(id, src, dst,"
                 " snap_from, kind, rights, requires, escalates, declared, state, valid_from,"
                 " expires, attrs, file, line, col) VALUES (?1,"
                 " (SELECT key FROM ident WHERE id = ?2), (SELECT key FROM ident WHERE id = ?3),"
                 " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", err)) < 0)
        return rc;
    return AP_OK;
}

int ap_store__write_diffed(ap_store *st, ap_error *err)
{
    const ap_stage *sg = st->stage;
    diff d = { .st = st, .sg = sg };
    ap_graph *old = NULL;
    char why[256];
    int rc;
    /* every record of the old image is checked as a load checks it; none is built */
    if (st->latest == 0
        || (rc = ap_graph__open_image(&old, st, st->latest, 0, AP_IMG_CHECKED, why, sizeof why,
                                      err)) == 0)
        return 0;
    if (rc < 0)
        return rc;
    d.old = old;
    d.ostr = (const char *)old->image + ((const img_head *)old->image)->off[S_STRINGS];
    if (ap_store__rank_nodes(sg, &d.by_rank, &d.rank) < 0
        || (d.order = ap_store__edge_order(sg, d.rank)) == NULL
        || (d.node_old = malloc(((size_t)sg->nnodes + 1) * sizeof *d.node_old)) == NULL
        || (d.edge_old = malloc(((size_t)sg->nedges + 1) * sizeof *d.edge_old)) == NULL
        || (d.gnew = malloc(((size_t)sg->nnodes + 1) * sizeof *d.gnew)) == NULL
        || (d.gold = malloc(((size_t)old->n + 1) * sizeof *d.gold)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if ((rc = prepare_all(&d, err)) < 0 || (rc = merge_nodes(&d, err)) < 0
        || (rc = merge_edges(&d, err)) < 0)
        goto cleanup;
    /* the new image from the stage and the kept rows: it only speeds up loading, so one that
     * cannot be written leaves the import as it is (ap_store_commit writes it from the rows) */
    const ap_image_keep keep = {old, d.node_old, d.edge_old};
    ap_error ignored;
    ap_store__stage_image(st, d.by_rank, d.rank, d.order, &keep, &ignored);
    rc = 1;
cleanup:
    sqlite3_finalize(d.ident);
    sqlite3_finalize(d.close_node);
    sqlite3_finalize(d.add_node);
    sqlite3_finalize(d.close_edge);
    sqlite3_finalize(d.add_edge);
    free(d.by_rank);
    free(d.rank);
    free(d.order);
    free(d.node_old);
    free(d.edge_old);
    free(d.gnew);
    free(d.gold);
    ap_graph_free(old);
    return rc;
}
