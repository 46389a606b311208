/* query/kernel/prep.c: the all-partners kernel's view of a graph: rights folded into classes
 * (classes.c), nodes renumbered in topological order of the strongly connected components
 * (igraph), each position's row of edge slots. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "kernel.h"

/* ---- The edges the kernel reads, copied once out of the graph. ---- */

/* The edges the kernel reads: live by their own state, traversable. Edges into a node that is
 * not live carry authority only for a source that is that node itself (it holds everything
 * already), so they never propagate; they are kept for the blast counts. */
static bool kept(const ap_edge *e) { return e->own_live && e->traversable; }

/* An edge's (rights, requires, escalates) as read, interned: an estate has few. */
typedef struct {
    ap_rights *rights, *requires;
    bool *esc;
    uint32_t n, cap;
    uint32_t *hslot;        /* open addressing: raw type + 1, 0 when free */
    size_t hcap;
} raw_types;

static size_t raw_hash(ap_rights r, ap_rights q, bool esc)
{
    return ap_kernel__mix(r * 0x9e3779b97f4a7c15ull ^ ap_kernel__mix(q) ^ (uint64_t)esc);
}

static int raw_grow(raw_types *t)
{
    size_t hcap = t->hcap ? t->hcap * 2 : 64;
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    uint32_t *hs = calloc(hcap, sizeof *hs);
    ap_rights *r = realloc(t->rights, cap * sizeof *r);
    if (r != NULL)
        t->rights = r;
    ap_rights *q = realloc(t->requires, cap * sizeof *q);
    if (q != NULL)
        t->requires = q;
    bool *e = realloc(t->esc, cap * sizeof *e);
    if (e != NULL)
        t->esc = e;
    if (hs == NULL || r == NULL || q == NULL || e == NULL) {
        free(hs);
        return -1;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        size_t h = raw_hash(t->rights[i], t->requires[i], t->esc[i]) & (hcap - 1);
        while (hs[h] != 0)
            h = (h + 1) & (hcap - 1);
        hs[h] = i + 1;
    }
    free(t->hslot);
    t->hslot = hs;
    t->hcap = hcap;
    t->cap = cap;
    return 0;
}

static int64_t raw_type(raw_types *t, ap_rights r, ap_rights q, bool esc)
{
    if (2 * ((size_t)t->n + 1) > t->hcap && raw_grow(t) < 0)
        return -1;
    size_t h = raw_hash(r, q, esc) & (t->hcap - 1);
    for (; t->hslot[h] != 0; h = (h + 1) & (t->hcap - 1)) {
        uint32_t i = t->hslot[h] - 1;
        if (t->rights[i] == r && t->requires[i] == q && t->esc[i] == esc)
            return i;
    }
    if (t->n == t->cap && raw_grow(t) < 0)
        return -1;
    if (t->n == t->cap || t->n >= (uint32_t)AP_KMETA_TYPE)
        return -1;
    h = raw_hash(r, q, esc) & (t->hcap - 1);
    while (t->hslot[h] != 0)
        h = (h + 1) & (t->hcap - 1);
    t->rights[t->n] = r;
    t->requires[t->n] = q;
    t->esc[t->n] = esc;
    t->hslot[h] = t->n + 1;
    return t->n++;
}

/* The kept edges in node order: v's are [koff[v], koff[v + 1]); everything else the kernel
 * needs of the graph's nodes, by node. */
typedef struct {
    uint32_t *koff;
    uint32_t *kto, *keid, *krt;     /* target node, ap_graph edge, raw type */
    uint8_t *live;                  /* ap_node.live, a byte each: read for every edge */
    uint8_t *info;                  /* kind | counted sensitivity << 3 */
    raw_types rt;
    uint32_t *rtype;                /* raw type -> kernel type */
    uint32_t *dom;                  /* domain number by node */
} view;

static void view_free(view *w)
{
    free(w->koff);
    free(w->kto);
    free(w->keid);
    free(w->krt);
    free(w->live);
    free(w->info);
    free(w->rt.rights);
    free(w->rt.requires);
    free(w->rt.esc);
    free(w->rt.hslot);
    free(w->rtype);
    free(w->dom);
}

static bool propagates(const view *w, uint32_t j) { return w->live[w->kto[j]]; }

static int read_graph(ap_kernel *k, view *w, ap_error *err)
{
    const ap_graph *g = k->g;
    uint32_t n = k->n, me = ap_graph_edge_count(g), j = 0;
    w->koff = ap_query__big_alloc(((size_t)n + 1) * sizeof *w->koff);
    w->kto = ap_query__big_alloc(((size_t)me + 1) * sizeof *w->kto);
    w->keid = ap_query__big_alloc(((size_t)me + 1) * sizeof *w->keid);
    w->krt = ap_query__big_alloc(((size_t)me + 1) * sizeof *w->krt);
    w->live = malloc((size_t)n + 1);
    w->info = malloc((size_t)n + 1);
    if (w->koff == NULL || w->kto == NULL || w->keid == NULL || w->krt == NULL
        || w->live == NULL || w->info == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++) {
        const ap_node *nd = ap_graph_node(g, v);
        ap_sensitivity sens = nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL
                                                              : nd->sensitivity;
        w->live[v] = nd->live;
        w->info[v] = (uint8_t)((unsigned)nd->kind | (unsigned)sens << 3);
    }
    for (uint32_t v = 0; v < n; v++) {
        w->koff[v] = j;
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
            ap_edge tmp;    /* a partial load: read in place, no record kept */
            const ap_edge *ed = ap_graph_edge_fields(g, e, &tmp);
            if (!kept(ed))
                continue;
            int64_t t = raw_type(&w->rt, ed->rights, ed->requires, ed->escalates);
            if (t < 0)
                return ap_error_nomem(err);
            w->kto[j] = ed->to;
            w->keid[j] = e;
            w->krt[j] = (uint32_t)t;
            j++;
        }
    }
    w->koff[n] = j;
    k->m = j;
    return AP_OK;
}

/* Rights classes (two bits that every edge treats alike are one class) and the kernel's edge
 * types over them. */
static int build_types(ap_kernel *k, view *w, ap_error *err)
{
    ap_kmask_set s = { 0 };
    unsigned cls[AP_MAX_RIGHTS];
    size_t tcap = 0;
    int bad = 0;
    for (uint32_t i = 0; i < w->rt.n; i++) {
        ap_rights r = w->rt.rights[i], q = w->rt.requires[i];
        if (r != 0 && r != AP_RIGHTS_ALL)
            bad |= ap_kernel__mask_add(&s, r);
        if (q != 0 && q != AP_RIGHTS_ALL)
            bad |= ap_kernel__mask_add(&s, q);
    }
    /* the vocabulary boundary too: the blast radius counts only named rights */
    ap_rights voc = ap_vocab_all(ap_graph_vocab(k->g));
    if (voc != AP_RIGHTS_ALL)
        bad |= ap_kernel__mask_add(&s, voc);
    if (bad) {
        free(s.keys);
        free(s.used);
        return ap_error_nomem(err);
    }
    k->K = ap_kernel__refine(cls, &s);
    free(s.keys);
    free(s.used);
    memset(k->cmask, 0, sizeof k->cmask);
    for (unsigned i = 0; i < AP_MAX_RIGHTS; i++)
        k->cmask[cls[i]] |= (ap_rights)1 << i;
    if ((w->rtype = malloc(((size_t)w->rt.n + 1) * sizeof *w->rtype)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < w->rt.n; i++) {
        int64_t t = ap_kernel__type_of(k, ap_kernel__to_classes(k, w->rt.rights[i]),
                                       ap_kernel__to_classes(k, w->rt.requires[i]), w->rt.esc[i],
                                       &tcap);
        if (t < 0)
            return ap_error_nomem(err);
        w->rtype[i] = (uint32_t)t;
    }
    return AP_OK;
}

/* ---- Strongly connected components and the topological order. ---- */

/* Components of the propagating edges. A node that no cycle can reach (peeled from the front:
 * every predecessor peeled) or that reaches no cycle (peeled from the back) is a component of
 * its own; igraph finds the components of the rest, usually a small core. comp: by node,
 * numbered from 0; *ncomp: how many. */
static int components(const ap_kernel *k, const view *w, uint32_t *comp, uint32_t *ncomp,
                      ap_error *err)
{
    uint32_t n = k->n, nprop = 0, head = 0, tail = 0, ncore = 0, next;
    uint32_t *indeg = calloc((size_t)n + 1, sizeof *indeg);
    uint32_t *outdeg = calloc((size_t)n + 1, sizeof *outdeg);
    uint32_t *roff = calloc((size_t)n + 2, sizeof *roff);
    uint32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    uint32_t *rsrc = NULL;
    uint8_t *peeled = calloc((size_t)n + 1, 1);
    igraph_vector_int_t ev, memb;
    igraph_integer_t nc = 0;
    igraph_t ig;
    igraph_error_t ie;
    int rc = AP_OK;
    if (indeg == NULL || outdeg == NULL || roff == NULL || queue == NULL || peeled == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++)
            if (propagates(w, j)) {
                indeg[w->kto[j]]++;
                outdeg[u]++;
                roff[w->kto[j] + 2]++;
                nprop++;
            }
    /* the predecessors, by target: rsrc[roff[v + 1] .. roff[v + 2]) while filling */
    if ((rsrc = ap_query__big_alloc(((size_t)nprop + 1) * sizeof *rsrc)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++)
        roff[v + 2] += roff[v + 1];
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++)
            if (propagates(w, j))
                rsrc[roff[w->kto[j] + 1]++] = u;
    /* from the front: Kahn's peeling */
    for (uint32_t v = 0; v < n; v++)
        if (indeg[v] == 0)
            queue[tail++] = v;
    while (head < tail) {
        uint32_t u = queue[head++];
        peeled[u] = 1;
        for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++)
            if (propagates(w, j) && --indeg[w->kto[j]] == 0)
                queue[tail++] = w->kto[j];
    }
    /* from the back, among the rest (every successor of theirs is among the rest too) */
    head = tail = 0;
    for (uint32_t v = 0; v < n; v++)
        if (!peeled[v] && outdeg[v] == 0)
            queue[tail++] = v;
    while (head < tail) {
        uint32_t v = queue[head++];
        peeled[v] = 2;
        for (uint32_t i = roff[v]; i < roff[v + 1]; i++)
            if (!peeled[rsrc[i]] && --outdeg[rsrc[i]] == 0)
                queue[tail++] = rsrc[i];
    }
    /* the core, renumbered (indeg is free again: it holds the core numbers) */
    uint64_t ncedges = 0;
    for (uint32_t v = 0; v < n; v++)
        if (!peeled[v])
            indeg[v] = ncore++;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; !peeled[u] && j < w->koff[u + 1]; j++)
            ncedges += propagates(w, j) && !peeled[w->kto[j]];
    if (igraph_vector_int_init(&ev, 2 * (igraph_integer_t)ncedges) != IGRAPH_SUCCESS) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    igraph_integer_t x = 0;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; !peeled[u] && j < w->koff[u + 1]; j++)
            if (propagates(w, j) && !peeled[w->kto[j]]) {
                VECTOR(ev)[x++] = indeg[u];
                VECTOR(ev)[x++] = indeg[w->kto[j]];
            }
    ie = igraph_create(&ig, &ev, ncore, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ev);
    if (ie != IGRAPH_SUCCESS) {
        rc = ap_error_set(err, AP_ENOMEM, "igraph: %s", igraph_strerror(ie));
        goto cleanup;
    }
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        igraph_destroy(&ig);
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    ie = igraph_connected_components(&ig, &memb, NULL, &nc, IGRAPH_STRONG);
    igraph_destroy(&ig);
    if (ie != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&memb);
        rc = ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
        goto cleanup;
    }
    next = (uint32_t)nc;
    for (uint32_t v = 0; v < n; v++)
        comp[v] = peeled[v] ? next++ : (uint32_t)VECTOR(memb)[indeg[v]];
    *ncomp = next;
    igraph_vector_int_destroy(&memb);
cleanup:
    free(indeg);
    free(outdeg);
    free(roff);
    free(queue);
    free(rsrc);
    free(peeled);
    return rc;
}

/* The members mem[0 .. len) of cyclic component c in reverse postorder of a depth-first search
 * over its inner edges (roots in id order): every inner edge but the back edges then goes
 * forward, so that a sweep in position order carries most of what enters the component through
 * it at once. stk, cur: scratch of len entries; seen: a byte per node, zero (left set). */
static void reverse_postorder(const view *w, const uint32_t *comp, uint32_t c, uint32_t *mem,
                              uint32_t len, uint32_t *stk, uint32_t *cur, uint32_t *post,
                              uint8_t *seen)
{
    uint32_t np = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t top = 0;
        if (seen[mem[i]])
            continue;
        seen[mem[i]] = 1;
        stk[top] = mem[i];
        cur[top++] = w->koff[mem[i]];
        while (top > 0) {
            uint32_t u = stk[top - 1];
            if (cur[top - 1] == w->koff[u + 1]) {
                post[np++] = u;
                top--;
                continue;
            }
            uint32_t j = cur[top - 1]++, v = w->kto[j];
            if (propagates(w, j) && comp[v] == c && !seen[v]) {
                seen[v] = 1;
                stk[top] = v;
                cur[top++] = w->koff[v];
            }
        }
    }
    for (uint32_t i = 0; i < len; i++)
        mem[i] = post[len - 1 - i];
}

/* Positions: components in topological order (Kahn over the condensation), the members of a
 * component contiguous (a cyclic one's in reverse postorder of its inner edges), the sinks last
 * in id order. */
static int order_nodes(ap_kernel *k, const view *w, const uint32_t *comp, uint32_t nc,
                       ap_error *err)
{
    uint32_t n = k->n;
    uint32_t *start = calloc((size_t)nc + 1, sizeof *start);
    uint32_t *members = malloc(((size_t)n + 1) * sizeof *members);
    uint32_t *indeg = calloc((size_t)nc + 1, sizeof *indeg);
    uint32_t *queue = malloc(((size_t)nc + 1) * sizeof *queue);
    uint8_t *selfloop = calloc((size_t)nc + 1, 1);
    uint8_t *sink = calloc((size_t)nc + 1, 1);
    uint8_t *seen = calloc((size_t)n + 1, 1);
    uint32_t *scratch = malloc(3 * ((size_t)n + 1) * sizeof *scratch);
    uint32_t head = 0, tail = 0, p = 0, nsinks = 0;
    int rc = AP_OK;
    if (start == NULL || members == NULL || indeg == NULL || queue == NULL || selfloop == NULL
        || sink == NULL || seen == NULL || scratch == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++)
        start[comp[v] + 1]++;
    for (uint32_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    for (uint32_t v = 0; v < n; v++)        /* v ascending: members in id order */
        members[start[comp[v]] + indeg[comp[v]]++] = v;
    memset(indeg, 0, (size_t)nc * sizeof *indeg);
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++) {
            if (!propagates(w, j))
                continue;
            if (comp[u] != comp[w->kto[j]])
                indeg[comp[w->kto[j]]]++;
            else if (u == w->kto[j])
                selfloop[comp[u]] = 1;
        }
    for (uint32_t c = 0; c < nc; c++)
        if (indeg[c] == 0)
            queue[tail++] = c;
    /* sinks: single, acyclic, no propagating edge out; they go last (sink[c]: 1) */
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++)
            if (propagates(w, j))
                sink[comp[u]] = 1;      /* 1 here: not a sink */
    for (uint32_t c = 0; c < nc; c++)
        sink[c] = !sink[c] && start[c + 1] - start[c] == 1;
    for (uint32_t c = 0; c < nc; c++)
        if (sink[c])
            nsinks++;
    uint32_t ps = n - nsinks;           /* the next sink's position */
    k->nns = ps;
    while (head < tail) {
        uint32_t c = queue[head++], lo = p;
        bool cyclic = start[c + 1] - start[c] > 1 || selfloop[c];
        if (sink[c])            /* placed below */
            continue;
        if (cyclic)
            reverse_postorder(w, comp, c, members + start[c], start[c + 1] - start[c], scratch,
                              scratch + n + 1, scratch + 2 * ((size_t)n + 1), seen);
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            uint32_t v = members[i];
            k->at[p].node = v;
            k->at[p].info = w->info[v] | (cyclic ? AP_KPOS_CYCLIC : 0);
            k->clo[p] = lo;
            k->pos[v] = p++;
        }
        if (cyclic)
            k->cyc_hi[lo] = p;
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            uint32_t u = members[i];
            for (uint32_t j = w->koff[u]; j < w->koff[u + 1]; j++)
                if (propagates(w, j) && comp[w->kto[j]] != c && --indeg[comp[w->kto[j]]] == 0)
                    queue[tail++] = comp[w->kto[j]];
        }
    }
    /* the sinks in id order: a role grants resources of nearby ids, so that sinks pulled one
     * after another read the same predecessors' words */
    for (uint32_t v = 0; v < n; v++)
        if (sink[comp[v]]) {
            k->at[ps].node = v;
            k->at[ps].info = w->info[v];
            k->clo[ps] = ps;
            k->pos[v] = ps++;
        }
    if (p != k->nns || p + nsinks != n)
        rc = ap_error_set(err, AP_EBUG, "the condensation is not acyclic (%u of %u placed)",
                          p + nsinks, n);
cleanup:
    free(start);
    free(members);
    free(indeg);
    free(queue);
    free(selfloop);
    free(sink);
    free(seen);
    free(scratch);
    return rc;
}

/* ---- Domains: an edge crosses a boundary when its ends' numbers differ. ---- */

typedef struct {
    const ap_graph *g;
    uint32_t *dom;
    int rc;
} dom_job;

static void *number_domains(void *arg)
{
    dom_job *job = arg;
    ap_kdom_set ds = { 0 };
    job->rc = AP_OK;
    for (uint32_t v = 0; v < ap_graph_node_count(job->g); v++) {
        int64_t d = ap_kernel__node_domain(&ds, job->g, v);
        if (d < 0) {
            job->rc = AP_ENOMEM;
            break;
        }
        job->dom[v] = (uint32_t)d;
    }
    ap_kernel__dom_free(&ds);
    return NULL;
}

/* ---- Rows. ---- */

/* A row's edge while it is sorted: its target's order (not live after live, then by position)
 * and its place in the row (equal targets keep edge order). */
typedef struct {
    uint64_t key;
    uint32_t t;
} row_edge;

/* Sort v[0 .. len) by (key, t): insertion for a short row, else three stable passes of 11 bits
 * over the key (a key fits in 33 bits; t is ascending on entry, so stability keeps it). */
static void sort_row(row_edge *v, row_edge *tmp, uint32_t len)
{
    if (len < 64) {
        for (uint32_t i = 1; i < len; i++) {
            row_edge x = v[i];
            uint32_t h = i;
            for (; h > 0 && v[h - 1].key > x.key; h--)
                v[h] = v[h - 1];
            v[h] = x;
        }
        return;
    }
    row_edge *from = v, *to = tmp;
    for (unsigned shift = 0; shift < 33; shift += 11) {
        uint32_t count[2048] = { 0 };
        for (uint32_t i = 0; i < len; i++)
            count[from[i].key >> shift & 2047]++;
        for (uint32_t d = 0, sum = 0; d < 2048; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < len; i++)
            to[count[from[i].key >> shift & 2047]++] = from[i];
        row_edge *x = from;
        from = to;
        to = x;
    }
    if (from != v)              /* three passes: the result is in tmp */
        memcpy(v, from, (size_t)len * sizeof *v);
}

/* Rows ordered by target position (those inside the component first, as targets inside it
 * precede targets after it), then the edges into nodes that are not live; equal targets in edge
 * order. Each row is sorted on its own as it is written, in position order (the rows are
 * written one after another; a global sort by target scattered every edge twice). */
static int build_rows(ap_kernel *k, const view *w, ap_error *err)
{
    uint32_t n = k->n, m = k->m, j = 0, longest = 0;
    for (uint32_t u = 0; u < n; u++)
        if (w->koff[u + 1] - w->koff[u] > longest)
            longest = w->koff[u + 1] - w->koff[u];
    row_edge *re = malloc(((size_t)longest + 1) * sizeof *re);
    row_edge *tmp = malloc(((size_t)longest + 1) * sizeof *tmp);
    k->slot = ap_query__big_alloc(((size_t)m + 1) * sizeof *k->slot);
    k->eid = ap_query__big_alloc(((size_t)m + 1) * sizeof *k->eid);
    if (re == NULL || tmp == NULL || k->slot == NULL || k->eid == NULL) {
        free(re);
        free(tmp);
        return ap_error_nomem(err);
    }
    for (uint32_t p = 0; p < n; p++) {
        uint32_t u = k->at[p].node, x0 = w->koff[u], len = w->koff[u + 1] - x0;
        k->at[p].off = j;
        for (uint32_t t = 0; t < len; t++) {
            uint32_t v = w->kto[x0 + t];
            re[t].key = (uint64_t)(w->live[v] ? 0 : 1) << 32 | k->pos[v];
            re[t].t = t;
        }
        sort_row(re, tmp, len);
        for (uint32_t i = 0; i < len; i++, j++) {
            uint32_t x = x0 + re[i].t, v = w->kto[x];
            k->slot[j].dst = (uint32_t)re[i].key;
            k->slot[j].meta = w->rtype[w->krt[x]] | (w->live[v] ? 0 : AP_KMETA_DEAD)
                              | (w->dom[u] != w->dom[v] ? AP_KMETA_BOUNDARY : 0);
            k->eid[j] = w->keid[x];
        }
    }
    free(re);
    free(tmp);
    k->at[n].off = k->at[n].ext = j;
    /* the slots into each sink, by source position (the order they are read in) */
    uint32_t nsk = n - k->nns;
    k->inoff = ap_query__big_calloc((size_t)nsk + 2, sizeof *k->inoff);
    if (k->inoff == NULL)
        return ap_error_nomem(err);
    for (uint32_t e = 0; e < j; e++)
        if (!(k->slot[e].meta & AP_KMETA_DEAD) && k->slot[e].dst >= k->nns)
            k->inoff[k->slot[e].dst - k->nns + 2]++;
    for (uint32_t i = 0; i < nsk; i++)
        k->inoff[i + 2] += k->inoff[i + 1];
    k->in = ap_query__big_alloc(((size_t)k->inoff[nsk + 1] + 1) * sizeof *k->in);
    if (k->in == NULL)
        return ap_error_nomem(err);
    for (uint32_t p = 0; p < n; p++)
        for (uint32_t e = k->at[p].off; e < k->at[p + 1].off; e++) {
            const ap_kslot *sl = &k->slot[e];
            if (sl->meta & AP_KMETA_DEAD || sl->dst < k->nns)
                continue;
            ap_kin *x = &k->in[k->inoff[sl->dst - k->nns + 1]++];
            x->src = p;
            x->meta = sl->meta;
            x->eid = k->eid[e];
        }
    /* ext: the first edge of a row whose target lies beyond the row's component */
    for (uint32_t p = 0, hi = 0; p < n; p++) {
        if (k->cyc_hi[p] != 0)
            hi = k->cyc_hi[p];
        if (p >= hi)
            hi = p + 1;
        uint32_t e = k->at[p].off;
        while (e < k->at[p + 1].off && !(k->slot[e].meta & AP_KMETA_DEAD) && k->slot[e].dst < hi)
            e++;
        k->at[p].ext = e;
    }
    return AP_OK;
}

void ap_kernel__free(ap_kernel *k)
{
    if (k == NULL)
        return;
    free(k->pos);
    free(k->at);
    free(k->cyc_hi);
    free(k->clo);
    free(k->slot);
    free(k->eid);
    free(k->types);
    free(k->inoff);
    free(k->in);
    free(k);
}

int ap_kernel__prepare(ap_kernel **out, const ap_graph *g, ap_error *err)
{
    ap_kernel *k = calloc(1, sizeof *k);
    view w = { 0 };
    dom_job job = { .g = g, .rc = AP_OK };
    pthread_t tid;
    bool threaded = false;
    uint32_t *comp = NULL, nc = 0;
    int rc = AP_OK;
    *out = NULL;
    if (k == NULL)
        return ap_error_nomem(err);
    k->g = g;
    k->n = ap_graph_node_count(g);
    size_t n1 = (size_t)k->n + 1;
    k->pos = ap_query__big_alloc(n1 * sizeof *k->pos);
    k->at = ap_query__big_calloc(n1, sizeof *k->at);
    k->cyc_hi = ap_query__big_calloc(n1, sizeof *k->cyc_hi);
    k->clo = ap_query__big_alloc(n1 * sizeof *k->clo);
    w.dom = ap_query__big_alloc(n1 * sizeof *w.dom);
    comp = ap_query__big_alloc(n1 * sizeof *comp);
    if (k->pos == NULL || k->at == NULL || k->cyc_hi == NULL || k->clo == NULL || w.dom == NULL
        || comp == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    /* the domains (a string per node) on a thread of their own while the edges are read */
    job.dom = w.dom;
    threaded = pthread_create(&tid, NULL, number_domains, &job) == 0;
    if ((rc = read_graph(k, &w, err)) < 0 || (rc = build_types(k, &w, err)) < 0
        || (rc = components(k, &w, comp, &nc, err)) < 0
        || (rc = order_nodes(k, &w, comp, nc, err)) < 0)
        goto done;
    if (threaded)
        pthread_join(tid, NULL);
    else
        number_domains(&job);
    threaded = false;
    if (job.rc < 0) {
        rc = ap_error_nomem(err);
        goto done;
    }
    rc = build_rows(k, &w, err);
done:
    if (threaded)
        pthread_join(tid, NULL);
    free(comp);
    view_free(&w);
    if (rc < 0) {
        ap_kernel__free(k);
        return rc;
    }
    *out = k;
    return AP_OK;
}
