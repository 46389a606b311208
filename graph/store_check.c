/* graph/store_check.c: what an import can only check once every file is read: edges to or
 * from undeclared nodes and repeated edge ids, after naming the edges that have no id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* An open-addressing set of strings, each kept as the index of what holds it (plus one). */
typedef struct {
    uint32_t *slots;
    uint32_t mask;
} id_table;

static int table_init(id_table *t, uint32_t count)
{
    uint32_t n = 1024;
    while (n < 0x80000000u && n < (uint64_t)count * 2)
        n *= 2;
    t->mask = n - 1;
    return (t->slots = calloc(n, sizeof *t->slots)) == NULL ? -1 : 0;
}

/* ---- names for edges without an id ---- */

typedef struct {
    const char *base;       /* from|kind|to */
    uint32_t hash, count;   /* count: edges so far with this base */
} auto_name;

/* "base#n" in the stage's strings. */
static const char *numbered(ap_stage *sg, const char *base, uint32_t n)
{
    size_t len = strlen(base);
    char suffix[16];
    int k = snprintf(suffix, sizeof suffix, "#%u", n);
    char *buf = malloc(len + (size_t)k + 1);
    const char *p;
    if (buf == NULL)
        return NULL;
    memcpy(buf, base, len);
    memcpy(buf + len, suffix, (size_t)k + 1);
    p = ap_stage__intern(sg, buf, len + (size_t)k);
    free(buf);
    return p;
}

/* docs/design.md, inputs: an edge without an id is from|kind|to, #2, #3... for repeats in order */
static int name_edges(ap_stage *sg)
{
    auto_name *names = NULL;
    uint32_t nnames = 0, missing = 0;
    id_table t = { NULL, 0 };
    char *buf = NULL;
    size_t cap = 0;
    int rc = -1;
    for (uint32_t i = 0; i < sg->nedges; i++)
        missing += AP_SEG(sg->edges, i).id == NULL;
    if (missing == 0)
        return 0;
    if ((names = malloc((size_t)missing * sizeof *names)) == NULL || table_init(&t, missing) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < sg->nedges; i++) {
        ap_stage_edge *e = &AP_SEG(sg->edges, i);
        const char *from = AP_SEG(sg->syms, e->src).id, *to = AP_SEG(sg->syms, e->dst).id;
        const char *kname = ap_edge_kind_name((ap_edge_kind)e->kind);
        size_t len = strlen(from) + strlen(kname) + strlen(to) + 3;
        uint32_t h, k;
        if (e->id != NULL)
            continue;
        if (len > cap) {
            char *p = realloc(buf, len * 2);
            if (p == NULL)
                goto cleanup;
            buf = p;
            cap = len * 2;
        }
        snprintf(buf, len, "%s|%s|%s", from, kname, to);
        h = ap_stage__hash(buf);
        for (k = h & t.mask; t.slots[k] != 0; k = (k + 1) & t.mask) {
            auto_name *a = &names[t.slots[k] - 1];
            if (a->hash == h && strcmp(a->base, buf) == 0)
                break;
        }
        if (t.slots[k] == 0) {
            auto_name *a = &names[nnames];
            if ((a->base = ap_stage__intern(sg, buf, len - 1)) == NULL)
                goto cleanup;
            a->hash = h;
            a->count = 1;
            t.slots[k] = ++nnames;
            e->id = a->base;
        } else {
            auto_name *a = &names[t.slots[k] - 1];
            if ((e->id = numbered(sg, a->base, ++a->count)) == NULL)
                goto cleanup;
        }
    }
    rc = 0;
cleanup:
    free(names);
    free(t.slots);
    free(buf);
    return rc;
}

/* ---- the checks ---- */

enum { BAD_FROM, BAD_TO, BAD_DUP };

typedef struct {
    int64_t file;
    unsigned line, col;
    uint32_t seq;           /* the edge, in input order */
    int what;               /* BAD_* */
} finding;

typedef struct {
    finding *items;
    uint32_t count, cap;
} finding_list;

static int add_finding(finding_list *l, int64_t file, unsigned line, unsigned col, uint32_t seq,
                       int what)
{
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        finding *p = realloc(l->items, (size_t)cap * sizeof *p);
        if (p == NULL)
            return -1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = (finding){ file, line, col, seq, what };
    return 0;
}

/* By place, as the errors of one file are read; ties in input order. */
static int finding_cmp(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->what - y->what;
}

/* Edges whose id an earlier edge already has. Each slot keeps the id's hash beside the edge
 * (hash << 32 | edge + 1), so that only an equal hash costs a look at the other edge's id: the
 * edges and their ids are read in input order, the slots at random, so each edge's slot is
 * asked for AP_STAGE_AHEAD edges before it is read (its wait overlaps the others'). */
static int find_duplicates(const ap_stage *sg, finding_list *found)
{
    uint64_t *slots;
    uint32_t n = 1024, mask, ahead[AP_STAGE_AHEAD];
    int rc = -1;
    while (n < 0x80000000u && n < (uint64_t)sg->nedges * 2)
        n *= 2;
    mask = n - 1;
    if ((slots = ap_graph__big(n, sizeof *slots)) == NULL)     /* huge pages: fewer faults */
        return -1;
    memset(slots, 0, (size_t)n * sizeof *slots);
    for (uint32_t i = 0; i < AP_STAGE_AHEAD && i < sg->nedges; i++) {
        ahead[i] = ap_stage__hash(AP_SEG(sg->edges, i).id);
        __builtin_prefetch(&slots[ahead[i] & mask]);
    }
    for (uint32_t i = 0; i < sg->nedges; i++) {
        const ap_stage_edge *e = &AP_SEG(sg->edges, i);
        uint32_t h = ahead[i % AP_STAGE_AHEAD], k = h & mask;
        if (i + AP_STAGE_AHEAD < sg->nedges) {
            ahead[i % AP_STAGE_AHEAD] = ap_stage__hash(AP_SEG(sg->edges, i + AP_STAGE_AHEAD).id);
            __builtin_prefetch(&slots[ahead[i % AP_STAGE_AHEAD] & mask]);
        }
        for (; slots[k] != 0; k = (k + 1) & mask)
            if ((uint32_t)(slots[k] >> 32) == h
                && strcmp(AP_SEG(sg->edges, (uint32_t)slots[k] - 1).id, e->id) == 0)
                break;
        if (slots[k] == 0)
            slots[k] = (uint64_t)h << 32 | (i + 1);
        else if (add_finding(found, sg->files[e->file], e->line, e->col, i, BAD_DUP) < 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    free(slots);
    return rc;
}

int ap_store__name_edges(ap_store *st, ap_error *err)
{
    if (st->stage == NULL)
        return ap_error_set(err, AP_EBUG, "no open import");
    if (!st->stage->named) {
        if (name_edges(st->stage) < 0)
            return ap_error_nomem(err);
        st->stage->named = 1;
    }
    return AP_OK;
}

int ap_store_check(ap_store *st, ap_error_list *more, ap_error *err)
{
    finding_list found = { NULL, 0, 0 };
    ap_stage *sg = st->stage;
    int rc;
    if ((rc = ap_store__name_edges(st, err)) < 0)
        return rc;
    /* an edge staged once both its ends were declared cannot name an undeclared node */
    for (uint32_t k = 0; k < sg->nopen; k++) {
        const ap_stage_open *o = &sg->open[k];
        const ap_stage_edge *e = &AP_SEG(sg->edges, o->edge);
        int64_t file = sg->files[e->file];
        if ((AP_SEG(sg->syms, e->src).node == AP_STAGE_NONE
             && add_finding(&found, file, o->from_line, o->from_col, o->edge, BAD_FROM) < 0)
            || (AP_SEG(sg->syms, e->dst).node == AP_STAGE_NONE
                && add_finding(&found, file, o->to_line, o->to_col, o->edge, BAD_TO) < 0))
            goto nomem;
    }
    if (find_duplicates(sg, &found) < 0)
        goto nomem;
    if (found.count > 1)
        qsort(found.items, found.count, sizeof *found.items, finding_cmp);
    for (uint32_t i = 0; i < found.count; i++) {
        const finding *f = &found.items[i];
        const ap_stage_edge *e = &AP_SEG(sg->edges, f->seq);
        ap_error one;
        ap_error *to = i == 0 && err != NULL ? err : &one;
        const char *path = ap_store_source_path(st, f->file);
        if (i > 0 && (more == NULL || more->count == sizeof more->items / sizeof *more->items)) {
            if (more != NULL)
                more->total++;          /* counted, as ap_error_list_add() does when full */
            continue;
        }
        if (f->what == BAD_FROM)
            ap_error_at(to, AP_EINPUT, path, f->line, f->col, "edge from undeclared node '%s'",
                        AP_SEG(sg->syms, e->src).id);
        else if (f->what == BAD_TO)
            ap_error_at(to, AP_EINPUT, path, f->line, f->col, "edge to undeclared node '%s'",
                        AP_SEG(sg->syms, e->dst).id);
        else
            ap_error_at(to, AP_EINPUT, path, f->line, f->col, "duplicate edge id '%s'", e->id);
        if (i > 0)
            ap_error_list_add(more, &one);
    }
    rc = found.count > 0 ? AP_EINPUT : AP_OK;
    sg->checked = rc == AP_OK;
    free(found.items);
    return rc;
nomem:
    free(found.items);
    return ap_error_nomem(err);
}
