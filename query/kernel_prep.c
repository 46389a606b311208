/* query/kernel_prep.c: the all-partners kernel's view of a graph: rights folded into classes,
 * nodes renumbered in topological order of the strongly connected components (igraph). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel_internal.h"

/* ---- Rights classes: two bits that every edge treats alike are one class. ---- */

/* Open addressing over the distinct masks of the estate (there are few). */
typedef struct {
    ap_rights *keys;
    uint8_t *used;
    size_t cap, n;
} mask_set;

static size_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static int mask_add(mask_set *s, ap_rights m)
{
    if (2 * (s->n + 1) > s->cap) {
        mask_set t = { 0 };
        t.cap = s->cap ? s->cap * 2 : 64;
        t.keys = malloc(t.cap * sizeof *t.keys);
        t.used = calloc(t.cap, 1);
        if (t.keys == NULL || t.used == NULL) {
            free(t.keys);
            free(t.used);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->used[i])
                mask_add(&t, s->keys[i]);
        free(s->keys);
        free(s->used);
        *s = t;
    }
    size_t i = mix(m) & (s->cap - 1);
    while (s->used[i]) {
        if (s->keys[i] == m)
            return 0;
        i = (i + 1) & (s->cap - 1);
    }
    s->used[i] = 1;
    s->keys[i] = m;
    s->n++;
    return 0;
}

/* Bit i's class; refine by every mask so that each mask is a union of classes. */
static unsigned refine(unsigned *cls, const mask_set *s)
{
    unsigned k = 1;
    memset(cls, 0, AP_MAX_RIGHTS * sizeof *cls);
    for (size_t j = 0; j < s->cap; j++) {
        int split[AP_MAX_RIGHTS];       /* old class -> new class for the bits inside */
        if (!s->used[j])
            continue;
        for (unsigned c = 0; c < k; c++)
            split[c] = -1;
        for (unsigned i = 0; i < AP_MAX_RIGHTS; i++) {
            if (!(s->keys[j] >> i & 1))
                continue;
            unsigned c = cls[i];
            /* the bits of class c inside the mask move to a new class, unless all are inside */
            if (split[c] < 0) {
                int all_in = 1;
                for (unsigned b = 0; b < AP_MAX_RIGHTS; b++)
                    if (cls[b] == c && !(s->keys[j] >> b & 1))
                        all_in = 0;
                split[c] = all_in ? (int)c : (int)k++;
            }
            cls[i] = (unsigned)split[c];
        }
    }
    return k;
}

static uint64_t to_classes(const ap_kernel *k, ap_rights m)
{
    uint64_t out = 0;
    for (unsigned c = 0; c < k->K; c++)
        if (m & k->cmask[c])
            out |= (uint64_t)1 << c;
    return out;
}

/* ---- Edge types: (rights classes, requires classes, escalates), interned. ---- */

static int64_t type_of(ap_kernel *k, uint64_t rc, uint64_t qc, bool esc, size_t *cap)
{
    /* linear probe over the few types seen so far, newest first */
    for (uint32_t t = k->ntypes; t-- > 0;)
        if (k->types[t].rc == rc && k->types[t].qc == qc && k->types[t].esc == esc)
            return t;
    if (k->ntypes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        ap_ktype *p = realloc(k->types, ncap * sizeof *p);
        if (p == NULL)
            return -1;
        k->types = p;
        *cap = ncap;
    }
    ap_ktype *t = &k->types[k->ntypes];
    uint64_t every = k->K == 64 ? ~(uint64_t)0 : (((uint64_t)1 << k->K) - 1);
    t->rc = rc;
    t->qc = qc;
    t->esc = esc;
    t->plain = rc == every && qc == 0 && !esc;
    return k->ntypes++;
}

/* The edges the kernel reads: live by their own state, traversable. Edges into a node that is
 * not live carry authority only for a source that is that node itself (it holds everything
 * already), so they never propagate; they are kept for the blast counts. */
static bool kept(const ap_edge *e) { return e->own_live && e->traversable; }

/* k->live is a byte per node: read for every edge, it stays in cache where the nodes do not */
static bool propagates(const ap_kernel *k, const ap_edge *e)
{
    return kept(e) && k->live[e->to];
}

/* ---- Domains, numbered: an edge crosses a boundary when its ends' numbers differ. ---- */

typedef struct {
    char **keys;                /* owned copies */
    uint32_t *ids;
    size_t cap, n;
} dom_set;

static size_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return mix(h);
}

/* The number of domain s[0..len); -1 when out of memory. */
static int64_t dom_id(dom_set *d, const char *s, size_t len)
{
    if (2 * (d->n + 1) > d->cap) {
        dom_set t = { 0 };
        t.cap = d->cap ? d->cap * 2 : 256;
        t.keys = calloc(t.cap, sizeof *t.keys);
        t.ids = malloc(t.cap * sizeof *t.ids);
        if (t.keys == NULL || t.ids == NULL) {
            free(t.keys);
            free(t.ids);
            return -1;
        }
        for (size_t i = 0; i < d->cap; i++) {
            if (d->keys[i] == NULL)
                continue;
            size_t j = hash_str(d->keys[i], strlen(d->keys[i])) & (t.cap - 1);
            while (t.keys[j] != NULL)
                j = (j + 1) & (t.cap - 1);
            t.keys[j] = d->keys[i];
            t.ids[j] = d->ids[i];
        }
        free(d->keys);
        free(d->ids);
        t.n = d->n;
        *d = t;
    }
    size_t i = hash_str(s, len) & (d->cap - 1);
    for (; d->keys[i] != NULL; i = (i + 1) & (d->cap - 1))
        if (strncmp(d->keys[i], s, len) == 0 && d->keys[i][len] == '\0')
            return d->ids[i];
    if ((d->keys[i] = malloc(len + 1)) == NULL)
        return -1;
    memcpy(d->keys[i], s, len);
    d->keys[i][len] = '\0';
    d->ids[i] = (uint32_t)d->n++;
    return d->ids[i];
}

static void dom_free(dom_set *d)
{
    for (size_t i = 0; i < d->cap; i++)
        free(d->keys[i]);
    free(d->keys);
    free(d->ids);
}

/* The domain of a node: its 'domain' attribute when a non-empty string, else its own id for a
 * partner and "home" for the rest. attrs is canonical JSON (compact): a top-level
 * "domain":"..." without escapes is read in place; anything else goes through jansson. */
static int64_t node_domain(dom_set *d, const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    const char *key = strstr(nd->attrs, "\"domain\"");
    int64_t id;
    if (key != NULL) {
        const char *val = key + 9, *end = NULL;
        if (strncmp(key + 8, ":\"", 2) == 0 && strchr(nd->attrs + 1, '{') == NULL
            && (end = strchr(val + 1, '"')) != NULL && memchr(val, '\\', end - val) == NULL) {
            if (end > val + 1)
                return dom_id(d, val + 1, (size_t)(end - val - 1));
        } else {
            json_t *o = json_loads(nd->attrs, 0, NULL);
            const char *s = json_string_value(json_object_get(o, "domain"));
            id = s != NULL && s[0] != '\0' ? dom_id(d, s, strlen(s)) : -2;
            json_decref(o);
            if (id != -2)
                return id;
        }
    }
    if (nd->kind == AP_KIND_PARTNER)
        return dom_id(d, nd->id, strlen(nd->id));
    return dom_id(d, "home", 4);
}

/* Strongly connected components of the propagating edges, by igraph. */
static int components(const ap_kernel *k, const ap_graph *g, igraph_vector_int_t *memb,
                      igraph_integer_t *ncomp, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g), live = 0;
    igraph_vector_int_t ev;
    igraph_t ig;
    igraph_error_t ie;
    for (uint32_t i = 0; i < m; i++)
        live += propagates(k, ap_graph_edge(g, i));
    if (igraph_vector_int_init(&ev, 2 * (igraph_integer_t)live) != IGRAPH_SUCCESS)
        return ap_error_nomem(err);
    igraph_integer_t j = 0;
    for (uint32_t i = 0; i < m; i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        if (!propagates(k, e))
            continue;
        VECTOR(ev)[j++] = e->from;
        VECTOR(ev)[j++] = e->to;
    }
    ie = igraph_create(&ig, &ev, n, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ev);
    if (ie != IGRAPH_SUCCESS)
        return ap_error_set(err, AP_ENOMEM, "igraph: %s", igraph_strerror(ie));
    ie = igraph_connected_components(&ig, memb, NULL, ncomp, IGRAPH_STRONG);
    igraph_destroy(&ig);
    if (ie != IGRAPH_SUCCESS)
        return ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    return AP_OK;
}

/* Positions: components in topological order (Kahn over the condensation), the members of a
 * component contiguous and in id order. */
static int order_nodes(ap_kernel *k, const ap_graph *g, const igraph_vector_int_t *memb,
                       uint32_t nc, ap_error *err)
{
    uint32_t n = k->n;
    uint32_t *start = calloc((size_t)nc + 1, sizeof *start);
    uint32_t *members = malloc(((size_t)n + 1) * sizeof *members);
    uint32_t *indeg = calloc((size_t)nc + 1, sizeof *indeg);
    uint32_t *queue = malloc(((size_t)nc + 1) * sizeof *queue);
    uint8_t *selfloop = calloc((size_t)nc + 1, 1);
    uint32_t head = 0, tail = 0, p = 0;
    int rc = AP_OK;
    if (start == NULL || members == NULL || indeg == NULL || queue == NULL || selfloop == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
#define COMP(v) ((uint32_t)VECTOR(*memb)[v])
    for (uint32_t v = 0; v < n; v++)
        start[COMP(v) + 1]++;
    for (uint32_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    for (uint32_t v = 0; v < n; v++)        /* v ascending: members in id order */
        members[start[COMP(v)] + indeg[COMP(v)]++] = v;
    memset(indeg, 0, (size_t)nc * sizeof *indeg);
    for (uint32_t i = 0; i < ap_graph_edge_count(g); i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        if (!propagates(k, e))
            continue;
        if (COMP(e->from) != COMP(e->to))
            indeg[COMP(e->to)]++;
        else if (e->from == e->to)
            selfloop[COMP(e->from)] = 1;
    }
    for (uint32_t c = 0; c < nc; c++)
        if (indeg[c] == 0)
            queue[tail++] = c;
    while (head < tail) {
        uint32_t c = queue[head++], lo = p;
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            const ap_node *nd = ap_graph_node(g, members[i]);
            ap_sensitivity sens = nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL
                                                                  : nd->sensitivity;
            k->order[p] = members[i];
            k->pinfo[p] = (uint8_t)((unsigned)nd->kind | (unsigned)sens << 3);
            k->pos[members[i]] = p++;
        }
        if (p - lo > 1 || selfloop[c])
            k->cyc_hi[lo] = p;
        for (uint32_t q = lo; q < p; q++)
            k->clo[q] = lo;
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            uint32_t u = members[i];
            for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (propagates(k, ed) && COMP(ed->to) != c && --indeg[COMP(ed->to)] == 0)
                    queue[tail++] = COMP(ed->to);
            }
        }
    }
#undef COMP
    if (p != n)
        rc = ap_error_set(err, AP_EBUG, "the condensation is not acyclic (%u of %u placed)", p,
                          n);
cleanup:
    free(start);
    free(members);
    free(indeg);
    free(queue);
    free(selfloop);
    return rc;
}

/* Order a row: propagating edges by target position (those inside the component first, as
 * targets inside it precede targets after it), then the edges into nodes that are not live. */
static int slot_cmp(const void *x, const void *y)
{
    const ap_kslot *a = x, *b = y;
    uint32_t da = a->meta & AP_KMETA_DEAD, db = b->meta & AP_KMETA_DEAD;
    if (da != db)
        return da < db ? -1 : 1;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    return a->eid < b->eid ? -1 : a->eid > b->eid;
}

static void sort_row(ap_kslot *row, uint32_t len)
{
    if (len > 16) {
        qsort(row, len, sizeof *row, slot_cmp);
        return;
    }
    for (uint32_t i = 1; i < len; i++) {
        ap_kslot x = row[i];
        uint32_t j = i;
        while (j > 0 && slot_cmp(&row[j - 1], &x) > 0) {
            row[j] = row[j - 1];
            j--;
        }
        row[j] = x;
    }
}

static int build_classes(ap_kernel *k, const ap_graph *g, ap_error *err)
{
    mask_set s = { 0 };
    unsigned cls[AP_MAX_RIGHTS];
    int bad = 0;
    for (uint32_t i = 0; i < ap_graph_edge_count(g); i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        if (!kept(e))
            continue;
        if (e->rights != 0 && e->rights != AP_RIGHTS_ALL)
            bad |= mask_add(&s, e->rights);
        if (e->requires != 0 && e->requires != AP_RIGHTS_ALL)
            bad |= mask_add(&s, e->requires);
    }
    /* the vocabulary boundary too: the blast radius counts only named rights */
    ap_rights voc = ap_vocab_all(ap_graph_vocab(g));
    if (voc != AP_RIGHTS_ALL)
        bad |= mask_add(&s, voc);
    if (bad) {
        free(s.keys);
        free(s.used);
        return ap_error_nomem(err);
    }
    k->K = refine(cls, &s);
    free(s.keys);
    free(s.used);
    memset(k->cmask, 0, sizeof k->cmask);
    for (unsigned i = 0; i < AP_MAX_RIGHTS; i++)
        k->cmask[cls[i]] |= (ap_rights)1 << i;
    return AP_OK;
}

static int build_rows(ap_kernel *k, const ap_graph *g, ap_error *err)
{
    uint32_t n = k->n;
    size_t tcap = 0;
    uint32_t *dom = malloc(((size_t)n + 1) * sizeof *dom);
    dom_set ds = { 0 };
    int rc = AP_OK;
    if (dom == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++) {
        int64_t d = node_domain(&ds, g, v);
        if (d < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        dom[v] = (uint32_t)d;
    }
    k->m = 0;
    for (uint32_t i = 0; i < ap_graph_edge_count(g); i++)
        k->m += kept(ap_graph_edge(g, i));
    k->off = malloc(((size_t)n + 1) * sizeof *k->off);
    k->ext = malloc(((size_t)n + 1) * sizeof *k->ext);
    k->slot = malloc(((size_t)k->m + 1) * sizeof *k->slot);
    if (k->off == NULL || k->ext == NULL || k->slot == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    uint32_t j = 0;
    for (uint32_t p = 0; p < n; p++) {
        uint32_t u = k->order[p];
        k->off[p] = j;
        for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (!kept(ed))
                continue;
            int64_t t = type_of(k, to_classes(k, ed->rights), to_classes(k, ed->requires),
                                ed->escalates, &tcap);
            if (t < 0 || t >= (int64_t)AP_KMETA_TYPE) {
                rc = t < 0 ? ap_error_nomem(err)
                           : ap_error_set(err, AP_EBUG, "too many distinct edge types");
                goto cleanup;
            }
            ap_kslot *s = &k->slot[j++];
            s->dst = k->pos[ed->to];
            s->eid = e;
            s->meta = (uint32_t)t;
            if (!k->live[ed->to])
                s->meta |= AP_KMETA_DEAD;
            if (dom[ed->from] != dom[ed->to])
                s->meta |= AP_KMETA_BOUNDARY;
        }
        sort_row(k->slot + k->off[p], j - k->off[p]);
    }
    k->off[n] = j;
    /* ext: the first edge of a row whose target lies beyond the row's component */
    for (uint32_t p = 0, hi = 0; p < n; p++) {
        if (k->cyc_hi[p] != 0)
            hi = k->cyc_hi[p];
        if (p >= hi)
            hi = p + 1;
        uint32_t e = k->off[p];
        while (e < k->off[p + 1] && !(k->slot[e].meta & AP_KMETA_DEAD) && k->slot[e].dst < hi)
            e++;
        k->ext[p] = e;
    }
cleanup:
    dom_free(&ds);
    free(dom);
    return rc;
}

void ap_kernel__free(ap_kernel *k)
{
    if (k == NULL)
        return;
    free(k->order);
    free(k->pos);
    free(k->pinfo);
    free(k->live);
    free(k->cyc_hi);
    free(k->clo);
    free(k->off);
    free(k->ext);
    free(k->slot);
    free(k->types);
    free(k);
}

int ap_kernel__prepare(ap_kernel **out, const ap_graph *g, ap_error *err)
{
    ap_kernel *k = calloc(1, sizeof *k);
    igraph_vector_int_t memb;
    igraph_integer_t nc = 0;
    int rc;
    *out = NULL;
    if (k == NULL)
        return ap_error_nomem(err);
    k->g = g;
    k->n = ap_graph_node_count(g);
    k->order = malloc(((size_t)k->n + 1) * sizeof *k->order);
    k->pos = malloc(((size_t)k->n + 1) * sizeof *k->pos);
    k->cyc_hi = calloc((size_t)k->n + 1, sizeof *k->cyc_hi);
    k->pinfo = malloc((size_t)k->n + 1);
    k->clo = malloc(((size_t)k->n + 1) * sizeof *k->clo);
    k->live = malloc((size_t)k->n + 1);
    if (k->order == NULL || k->pos == NULL || k->cyc_hi == NULL || k->pinfo == NULL
        || k->live == NULL || k->clo == NULL) {
        ap_kernel__free(k);
        return ap_error_nomem(err);
    }
    for (uint32_t v = 0; v < k->n; v++)
        k->live[v] = ap_graph_node(g, v)->live;
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        ap_kernel__free(k);
        return ap_error_nomem(err);
    }
    if ((rc = build_classes(k, g, err)) < 0 || (rc = components(k, g, &memb, &nc, err)) < 0
        || (rc = order_nodes(k, g, &memb, (uint32_t)nc, err)) < 0)
        goto fail;
    igraph_vector_int_destroy(&memb);
    if ((rc = build_rows(k, g, err)) < 0) {
        ap_kernel__free(k);
        return rc;
    }
    *out = k;
    return AP_OK;
fail:
    igraph_vector_int_destroy(&memb);
    ap_kernel__free(k);
    return rc;
}
