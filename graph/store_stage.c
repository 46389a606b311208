/* graph/store_stage.c: the staged estate of an open import, in memory. Readers append nodes
 * and edges here; node ids and edge endpoints share one symbol table, so a repeated node id is
 * found at once and an endpoint is resolved by one lookup. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* The attributes most rows have: kept once, never copied. */
static const char empty_attrs[] = "{}";

uint32_t ap_stage__hash(const char *s)
{
    uint32_t h = 2166136261u;              /* FNV-1a: short ids, few collisions, no state */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

const char *ap_stage__intern(ap_stage *sg, const char *s, size_t len)
{
    ap_chunk *c = sg->strings;
    char *p;
    if (c == NULL || c->cap - c->used < len + 1) {
        /* large chunks, so that most of each can be backed by huge pages */
        size_t cap = len + 1 > (8u << 20) ? len + 1 : (8u << 20);
        if ((c = ap_graph__big(1, sizeof *c + cap)) == NULL)
            return NULL;
        c->next = sg->strings;
        c->used = 0;
        c->cap = cap;
        sg->strings = c;
    }
    p = c->data + c->used;
    memcpy(p, s, len);
    p[len] = '\0';
    c->used += len + 1;
    return p;
}

static const char *intern_attrs(ap_stage *sg, const char *attrs)
{
    if (attrs == NULL || strcmp(attrs, empty_attrs) == 0)
        return empty_attrs;
    return ap_stage__intern(sg, attrs, strlen(attrs));
}

/* Grow an array of *cap elements of size bytes to hold one more; 0 on success. */
static int grow(void **arr, uint32_t *cap, uint32_t count, size_t size)
{
    void *p;
    size_t n;
    if (count < *cap)
        return 0;
    if (*cap >= UINT32_MAX / 2)
        return -1;
    n = *cap ? (size_t)*cap * 2 : 16;
    if ((p = realloc(*arr, n * size)) == NULL)
        return -1;
    *arr = p;
    *cap = (uint32_t)n;
    return 0;
}

/* Element count of a block array of *nblocks blocks of elements of size bytes, a block
 * added when needed; NULL when out of memory or the array is full. */
static void *seg_add(void ***blocks, uint32_t *nblocks, uint32_t count, size_t size)
{
    uint32_t b = count >> AP_SEG_SHIFT;
    if (count == AP_STAGE_NONE)
        return NULL;
    if (b == *nblocks) {
        void **p = realloc(*blocks, ((size_t)b + 1) * sizeof *p);
        if (p == NULL)
            return NULL;
        *blocks = p;
        /* read at random: huge pages mean fewer TLB misses */
        if ((p[b] = ap_graph__big(1, size << AP_SEG_SHIFT)) == NULL)
            return NULL;
        (*nblocks)++;
    }
    return (char *)(*blocks)[b] + (size_t)(count & ((1u << AP_SEG_SHIFT) - 1)) * size;
}

static void seg_free(void **blocks, uint32_t nblocks)
{
    for (uint32_t b = 0; b < nblocks; b++)
        free(blocks[b]);
    free(blocks);
}

/* Double the symbol slots and place every symbol again. */
static int rehash(ap_stage *sg)
{
    uint32_t n = sg->sym_mask ? (sg->sym_mask + 1) * 2 : 1u << 12;
    uint64_t *slots = ap_graph__big(n, sizeof *slots);
    if (slots == NULL)
        return -1;
    memset(slots, 0, (size_t)n * sizeof *slots);
    for (uint32_t i = 0; i < sg->nsyms; i++) {
        uint64_t h = AP_SEG(sg->syms, i).hash;
        uint32_t k = (uint32_t)h & (n - 1);
        while (slots[k] != 0)
            k = (k + 1) & (n - 1);
        slots[k] = h << 32 | (i + 1);
    }
    free(sg->sym_slots);
    sg->sym_slots = slots;
    sg->sym_mask = n - 1;
    return 0;
}

/* The symbol of id, added (undeclared) when new; UINT32_MAX when out of memory. A lookup
 * reads one slot (the hash is in it) and, when the hash matches, one symbol. */
static uint32_t symbol(ap_stage *sg, const char *id)
{
    uint32_t h = ap_stage__hash(id), k;
    size_t len;
    ap_stage_sym *sym;
    if (((uint64_t)sg->nsyms + 1) * 2 > (uint64_t)sg->sym_mask + 1 && rehash(sg) < 0)
        return UINT32_MAX;
    for (k = h & sg->sym_mask; sg->sym_slots[k] != 0; k = (k + 1) & sg->sym_mask) {
        uint64_t slot = sg->sym_slots[k];
        if ((uint32_t)(slot >> 32) == h
            && strcmp(AP_SEG(sg->syms, (uint32_t)slot - 1).id, id) == 0)
            return (uint32_t)slot - 1;
    }
    if ((sym = seg_add((void ***)&sg->syms, &sg->sym_blocks, sg->nsyms, sizeof *sym)) == NULL)
        return UINT32_MAX;
    len = strlen(id);
    if (len < sizeof sym->inl)
        sym->id = memcpy(sym->inl, id, len + 1);
    else if ((sym->id = ap_stage__intern(sg, id, len)) == NULL)
        return UINT32_MAX;
    sym->hash = h;
    sym->node = AP_STAGE_NONE;
    sg->sym_slots[k] = (uint64_t)h << 32 | ++sg->nsyms;
    return sg->nsyms - 1;
}

/* The index of source id file among the import's files (usually the last one). */
static int file_index(ap_stage *sg, int64_t file, uint32_t *out)
{
    uint32_t i = sg->nfiles;
    while (i > 0 && sg->files[i - 1] != file)
        i--;
    if (i > 0) {
        *out = i - 1;
        return 0;
    }
    if (grow((void **)&sg->files, &sg->files_cap, sg->nfiles, sizeof *sg->files) < 0)
        return -1;
    sg->files[sg->nfiles] = file;
    *out = sg->nfiles++;
    return 0;
}

void ap_stage__free(ap_stage *sg)
{
    if (sg == NULL)
        return;
    while (sg->strings != NULL) {
        ap_chunk *next = sg->strings->next;
        free(sg->strings);
        sg->strings = next;
    }
    seg_free((void **)sg->syms, sg->sym_blocks);
    seg_free((void **)sg->nodes, sg->node_blocks);
    seg_free((void **)sg->edges, sg->edge_blocks);
    free(sg->sym_slots);
    free(sg->files);
    free(sg->open);
    free(sg);
}

int ap_store_stage_node(ap_store *st, int64_t file, const ap_node_rec *rec, ap_error *err)
{
    ap_stage *sg = st->stage;
    ap_stage_node *nd;
    uint32_t sym;
    if (sg == NULL)
        return ap_error_set(err, AP_EBUG, "staging without an open import");
    if ((sym = symbol(sg, rec->id)) == UINT32_MAX)
        return ap_error_nomem(err);
    if (AP_SEG(sg->syms, sym).node != AP_STAGE_NONE) {
        const ap_stage_node *first = &AP_SEG(sg->nodes, AP_SEG(sg->syms, sym).node);
        const char *path = ap_store_source_path(st, sg->files[first->file]);
        return ap_error_at(err, AP_EINPUT, ap_store_source_path(st, file), rec->line, rec->col,
                           "duplicate node id '%s' (first declared at %s:%u:%u)", rec->id,
                           path ? path : "?", first->line, first->col);
    }
    if ((nd = seg_add((void ***)&sg->nodes, &sg->node_blocks, sg->nnodes, sizeof *nd)) == NULL)
        return ap_error_nomem(err);
    if (file_index(sg, file, &nd->file) < 0 || (nd->attrs = intern_attrs(sg, rec->attrs)) == NULL)
        return ap_error_nomem(err);
    nd->sym = sym;
    nd->kind = (uint8_t)rec->kind;
    nd->state = (uint8_t)rec->state;
    nd->sensitivity = (int8_t)rec->sensitivity;
    nd->valid_from = rec->valid_from;
    nd->expires = rec->expires;
    nd->line = rec->line;
    nd->col = rec->col;
    AP_SEG(sg->syms, sym).node = sg->nnodes++;
    return AP_OK;
}

int ap_store_stage_edge(ap_store *st, int64_t file, const ap_edge_rec *rec, ap_error *err)
{
    ap_stage *sg = st->stage;
    ap_stage_edge *e;
    uint32_t src, dst;
    if (sg == NULL)
        return ap_error_set(err, AP_EBUG, "staging without an open import");
    /* an inventory lists a node's edges together: most edges start where the last one did */
    if (sg->last_src < sg->nsyms && strcmp(AP_SEG(sg->syms, sg->last_src).id, rec->from) == 0)
        src = sg->last_src;
    else if ((src = symbol(sg, rec->from)) == UINT32_MAX)
        return ap_error_nomem(err);
    sg->last_src = src;
    if ((dst = symbol(sg, rec->to)) == UINT32_MAX
        || (e = seg_add((void ***)&sg->edges, &sg->edge_blocks, sg->nedges, sizeof *e)) == NULL)
        return ap_error_nomem(err);
    e->id = NULL;
    if ((rec->id != NULL && (e->id = ap_stage__intern(sg, rec->id, strlen(rec->id))) == NULL)
        || file_index(sg, file, &e->file) < 0
        || (e->attrs = intern_attrs(sg, rec->attrs)) == NULL)
        return ap_error_nomem(err);
    if (AP_SEG(sg->syms, src).node == AP_STAGE_NONE
        || AP_SEG(sg->syms, dst).node == AP_STAGE_NONE) {
        if (grow((void **)&sg->open, &sg->open_cap, sg->nopen, sizeof *sg->open) < 0)
            return ap_error_nomem(err);
        sg->open[sg->nopen++] = (ap_stage_open){ sg->nedges, rec->from_line, rec->from_col,
                                                 rec->to_line, rec->to_col };
    }
    e->src = src;
    e->dst = dst;
    e->kind = (uint8_t)rec->kind;
    e->state = (uint8_t)rec->state;
    e->escalates = (uint8_t)(rec->escalates != 0);
    e->declared = (uint8_t)(rec->rights_declared != 0);
    e->rights = rec->rights;
    e->requires = rec->requires;
    e->valid_from = rec->valid_from;
    e->expires = rec->expires;
    e->line = rec->line;
    e->col = rec->col;
    sg->nedges++;
    return AP_OK;
}

/* Two rounds over the ids: the first asks for each one's slot, the second reads the slots (the
 * first wait overlaps all the others) and asks for the symbol each names. A lookup then finds
 * both in the cache instead of waiting for each in turn (two misses per end: eighth session,
 * bench/RESULTS.md). */
void ap_store_stage_hint(const ap_store *st, const char *const *ids, size_t n)
{
    const ap_stage *sg = st->stage;
    uint32_t k[AP_STAGE_HINT_MAX];
    if (sg == NULL || sg->sym_slots == NULL)
        return;
    if (n > AP_STAGE_HINT_MAX)
        n = AP_STAGE_HINT_MAX;
    for (size_t i = 0; i < n; i++) {
        k[i] = ap_stage__hash(ids[i]) & sg->sym_mask;
        __builtin_prefetch(&sg->sym_slots[k[i]]);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t slot = sg->sym_slots[k[i]];
        if (slot != 0 && (uint32_t)slot - 1 < sg->nsyms)
            __builtin_prefetch(&AP_SEG(sg->syms, (uint32_t)slot - 1));
    }
}

void ap_store_staged(const ap_store *st, uint64_t *nodes, uint64_t *edges)
{
    *nodes = st->stage != NULL ? st->stage->nnodes : 0;
    *edges = st->stage != NULL ? st->stage->nedges : 0;
}
