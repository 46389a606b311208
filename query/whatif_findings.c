/* query/whatif_findings.c: the findings a what-if raises or clears. The catalogue runs on the
 * graph and on the changed graph; findings are matched by rule, subject id and partner id (a
 * finding about several partners, once per root cause, is matched once per partner). */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

/* What makes two findings the same, on either graph (ids, not indices). */
typedef struct {
    const char *rule;
    bool edge;
    const char *subject, *partner;
    size_t index;               /* in its findings list */
} fkey;

static int key_cmp(const fkey *a, const fkey *b)
{
    int c;
    if ((c = strcmp(a->rule, b->rule)) != 0)
        return c;
    if (a->edge != b->edge)
        return a->edge ? 1 : -1;
    if ((c = strcmp(a->subject, b->subject)) != 0)
        return c;
    return strcmp(a->partner, b->partner);
}

static int key_sort(const void *x, const void *y)
{
    const fkey *a = x, *b = y;
    int c = key_cmp(a, b);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;     /* index: total */
}

static int index_cmp(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* The keys of f's findings in force (waived ones left out), one per partner, sorted. */
static fkey *keys_of(const ap_graph *g, const ap_findings *f, size_t *n)
{
    size_t total = 1, most = 1;
    fkey *k;
    uint32_t *list;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        size_t np = ap_findings_peek(f, i)->npartners;
        total += np;
        most = np > most ? np : most;
    }
    *n = 0;
    k = malloc(total * sizeof *k);
    list = malloc(most * sizeof *list);
    if (k == NULL || list == NULL) {
        free(k);
        free(list);
        return NULL;
    }
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_peek(f, i);     /* its header is enough */
        size_t np = x->waived ? 0 : ap_findings_partners(f, i, list, most);
        for (size_t p = 0; p < np; p++)
            k[(*n)++] = (fkey){ x->rule->id, x->subject_is_edge, ap_finding_subject_id(g, x),
                                ap_graph_node(g, list[p])->id, i };
    }
    free(list);
    qsort(k, *n, sizeof *k, key_sort);
    return k;
}

/* Drop repeats from a sorted list (a finding listed for several of its partners); new length. */
static size_t unique(size_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    return k;
}

int ap_whatif__findings(ap_whatif *w, const ap_graph *g, const ap_policy *policy,
                        const bool *partners, ap_error *err)
{
    ap_findings_opts fo = { policy, NULL, 0, -1, AP_SEV_NONE };
    fkey *before = NULL, *after = NULL;
    size_t nb = 0, na = 0, i = 0, j = 0;
    int rc;
    /* the partners the change cannot touch keep every finding: only the others are run */
    if ((rc = ap_findings__compute_some(&w->findings_before, g, &fo, partners, err)) < 0
        || (rc = ap_findings__compute_some(&w->findings_after, w->changed, &fo, partners,
                                           err)) < 0)
        return rc;
    before = keys_of(g, w->findings_before, &nb);
    after = keys_of(w->changed, w->findings_after, &na);
    w->vanished = malloc((nb + 1) * sizeof *w->vanished);
    w->appeared = malloc((na + 1) * sizeof *w->appeared);
    if (before == NULL || after == NULL || w->vanished == NULL || w->appeared == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* a merge of the two sorted lists: equal keys pair off, the rest appeared or vanished */
    while (i < nb || j < na) {
        int c = i == nb ? 1 : j == na ? -1 : key_cmp(&before[i], &after[j]);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            w->vanished[w->nvanished++] = before[i++].index;
        } else {
            w->appeared[w->nappeared++] = after[j++].index;
        }
    }
    qsort(w->vanished, w->nvanished, sizeof *w->vanished, index_cmp);
    qsort(w->appeared, w->nappeared, sizeof *w->appeared, index_cmp);
    w->nvanished = unique(w->vanished, w->nvanished);
    w->nappeared = unique(w->appeared, w->nappeared);
    rc = AP_OK;
cleanup:
    free(before);
    free(after);
    return rc;
}
