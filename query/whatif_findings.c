/* query/whatif_findings.c: the findings a what-if raises or clears. The catalogue runs on the
 * graph and on the changed graph; findings are matched by rule, subject id and partner id (a
 * finding about several partners, once per root cause, is matched once per partner). */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

/* What makes two findings the same, on either graph (ids, not indices): rule, subject and
 * partner. Findings are first put in order by rule and subject (one key each), and only the
 * findings of one rule and subject are spread over their partners: a key per (finding,
 * partner) on the cyclic S=100 estate, where edge findings name thousands of partners each,
 * took 2.2 GB. */
typedef struct {
    const char *rule;
    bool edge;
    const char *subject;
    size_t index;               /* in its findings list */
} fkey;

/* One partner of a finding of the group being matched. */
typedef struct {
    const char *partner;
    size_t index;
} pkey;

static int key_cmp(const fkey *a, const fkey *b)
{
    int c;
    if ((c = strcmp(a->rule, b->rule)) != 0)
        return c;
    if (a->edge != b->edge)
        return a->edge ? 1 : -1;
    return strcmp(a->subject, b->subject);
}

static int key_sort(const void *x, const void *y)
{
    const fkey *a = x, *b = y;
    int c = key_cmp(a, b);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;     /* index: total */
}

static int pkey_sort(const void *x, const void *y)
{
    const pkey *a = x, *b = y;
    int c = strcmp(a->partner, b->partner);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int index_cmp(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* The keys of f's findings in force (waived ones left out), sorted; *most: the most partners
 * one names. */
static fkey *keys_of(const ap_graph *g, const ap_findings *f, size_t *n, size_t *most)
{
    fkey *k = malloc((ap_findings_count(f) + 1) * sizeof *k);
    *n = 0;
    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_peek(f, i);     /* its header is enough */
        if (x->waived || x->npartners == 0)
            continue;
        k[(*n)++] = (fkey){ x->rule->id, x->subject_is_edge, ap_finding_subject_id(g, x), i };
        *most = x->npartners > *most ? x->npartners : *most;
    }
    qsort(k, *n, sizeof *k, key_sort);
    return k;
}

/* A group's findings k[0..n) spread over their partners into *out (grown as needed), sorted. */
typedef struct {
    pkey *v;
    size_t n, cap;
    uint32_t *list;
    size_t listcap;
    unsigned char *said;        /* per finding of the side: already vanished (appeared) */
} spread;

static int spread_group(spread *s, const ap_graph *g, const ap_findings *f, const fkey *k,
                        size_t n)
{
    s->n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t np = ap_findings_partners(f, k[i].index, s->list, s->listcap);
        if (s->n + np > s->cap) {
            size_t cap = s->cap ? s->cap : 64;
            while (cap < s->n + np)
                cap *= 2;
            pkey *v = realloc(s->v, cap * sizeof *v);
            if (v == NULL)
                return AP_ENOMEM;
            s->v = v;
            s->cap = cap;
        }
        for (size_t p = 0; p < np; p++)
            s->v[s->n++] = (pkey){ ap_graph_node(g, s->list[p])->id, k[i].index };
    }
    if (s->n > 1)
        qsort(s->v, s->n, sizeof *s->v, pkey_sort);
    return AP_OK;
}

/* Match the group of one rule and subject: before's findings b[0..nb), after's a[0..na);
 * equal partners pair off, the rest vanished or appeared. */
static int match_group(ap_whatif *w, const ap_graph *g, spread *sb, spread *sa,
                       const fkey *b, size_t nb, const fkey *a, size_t na)
{
    if (spread_group(sb, g, w->findings_before, b, nb) < 0
        || spread_group(sa, w->changed, w->findings_after, a, na) < 0)
        return AP_ENOMEM;
    size_t i = 0, j = 0;
    while (i < sb->n || j < sa->n) {
        int c = i == sb->n ? 1 : j == sa->n ? -1 : strcmp(sb->v[i].partner, sa->v[j].partner);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            size_t x = sb->v[i++].index;
            if (!sb->said[x]++)
                w->vanished[w->nvanished++] = x;
        } else {
            size_t x = sa->v[j++].index;
            if (!sa->said[x]++)
                w->appeared[w->nappeared++] = x;
        }
    }
    return AP_OK;
}

int ap_whatif__findings(ap_whatif *w, const ap_graph *g, const ap_policy *policy,
                        const bool *partners, ap_error *err)
{
    ap_findings_opts fo = { policy, NULL, 0, -1, AP_SEV_NONE };
    fkey *before = NULL, *after = NULL;
    size_t nb = 0, na = 0, i = 0, j = 0, most = 1;
    spread sb = { 0 }, sa = { 0 };
    int rc;
    /* the partners the change cannot touch keep every finding: only the others are run */
    if ((rc = ap_findings__compute_some(&w->findings_before, g, &fo, partners, err)) < 0)
        return rc;
    /* the attributes the first run parsed (about a sixth of its peak on the cyclic S=100
     * estate) are not carried through the second: its graph parses its own */
    ap_graph_forget_attrs(g);
    if ((rc = ap_findings__compute_some(&w->findings_after, w->changed, &fo, partners,
                                        err)) < 0)
        return rc;
    before = keys_of(g, w->findings_before, &nb, &most);
    after = keys_of(w->changed, w->findings_after, &na, &most);
    /* a finding vanishes or appears once, however many of its partners do */
    w->vanished = malloc((ap_findings_count(w->findings_before) + 1) * sizeof *w->vanished);
    w->appeared = malloc((ap_findings_count(w->findings_after) + 1) * sizeof *w->appeared);
    sb.list = malloc(most * sizeof *sb.list);
    sa.list = malloc(most * sizeof *sa.list);
    sb.listcap = sa.listcap = most;
    sb.said = calloc(ap_findings_count(w->findings_before) + 1, 1);
    sa.said = calloc(ap_findings_count(w->findings_after) + 1, 1);
    if (before == NULL || after == NULL || w->vanished == NULL || w->appeared == NULL
        || sb.list == NULL || sa.list == NULL || sb.said == NULL || sa.said == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* a merge of the two sorted lists by rule and subject; a group on both sides is matched by
     * partner, one on one side only vanished or appeared whole */
    rc = AP_OK;
    while ((i < nb || j < na) && rc == AP_OK) {
        int c = i == nb ? 1 : j == na ? -1 : key_cmp(&before[i], &after[j]);
        size_t ei = i, ej = j;
        if (c <= 0)
            while (ei < nb && key_cmp(&before[ei], &before[i]) == 0)
                ei++;
        if (c >= 0)
            while (ej < na && key_cmp(&after[ej], &after[j]) == 0)
                ej++;
        if (match_group(w, g, &sb, &sa, before + i, ei - i, after + j, ej - j) < 0)
            rc = ap_error_nomem(err);
        i = ei;
        j = ej;
    }
    if (rc < 0)
        goto cleanup;
    qsort(w->vanished, w->nvanished, sizeof *w->vanished, index_cmp);
    qsort(w->appeared, w->nappeared, sizeof *w->appeared, index_cmp);
cleanup:
    free(before);
    free(after);
    free(sb.v);
    free(sb.list);
    free(sb.said);
    free(sa.v);
    free(sa.list);
    free(sa.said);
    return rc;
}
