/* query/kernel/classes.c: what the kernel folds an estate's values into: rights bits that every
 * edge treats alike as one class, edge types over classes, and domains numbered. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../query_internal.h"
#include "kernel.h"

/* ---- Rights classes: two bits that every edge treats alike are one class. ---- */

int ap_kernel__mask_add(ap_kmask_set *s, ap_rights m)
{
    if (2 * (s->n + 1) > s->cap) {
        ap_kmask_set t = { 0 };
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
                ap_kernel__mask_add(&t, s->keys[i]);
        free(s->keys);
        free(s->used);
        *s = t;
    }
    size_t i = ap_kernel__mix(m) & (s->cap - 1);
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
unsigned ap_kernel__refine(unsigned *cls, const ap_kmask_set *s)
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

uint64_t ap_kernel__to_classes(const ap_kernel *k, ap_rights m)
{
    uint64_t out = 0;
    for (unsigned c = 0; c < k->K; c++)
        if (m & k->cmask[c])
            out |= (uint64_t)1 << c;
    return out;
}

/* ---- Edge types: (rights classes, requires classes, escalates), interned. ---- */

int64_t ap_kernel__type_of(ap_kernel *k, uint64_t rc, uint64_t qc, bool esc, size_t *cap)
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

/* ---- Domains, numbered: an edge crosses a boundary when its ends' numbers differ. ---- */


static size_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return ap_kernel__mix(h);
}

/* The number of domain s[0..len); -1 when out of memory. */
static int64_t dom_id(ap_kdom_set *d, const char *s, size_t len)
{
    if (2 * (d->n + 1) > d->cap) {
        ap_kdom_set t = { 0 };
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

void ap_kernel__dom_free(ap_kdom_set *d)
{
    for (size_t i = 0; i < d->cap; i++)
        free(d->keys[i]);
    free(d->keys);
    free(d->ids);
}

/* The domain of a node: its 'domain' attribute when a non-empty string, else its own id for a
 * partner and "home" for the rest. attrs is canonical JSON (compact): a top-level
 * "domain":"..." without escapes is read in place; anything else goes through jansson. */
int64_t ap_kernel__node_domain(ap_kdom_set *d, const ap_graph *g, uint32_t v)
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
