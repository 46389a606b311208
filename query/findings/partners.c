/* query/findings/partners.c: the partners a finding is about: a list in id order, or, once they
 * are more than a share of the graph's partners, a bit per partner and the first ones listed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* A finding about an edge in a cyclic estate is about nearly every partner: 230,000 such
 * findings of 2,000 partners each were 1.9 GB of lists at S=100 (eleventh session). Past
 * nall / 32 partners a finding keeps a bit per partner (nall / 8 bytes, the list's size at
 * that point) and lists only its first AP_FINDINGS_PARTNERS_SHOWN, which is all any output
 * names; npartners still counts them all. */

static uint32_t limit(const ap_findings *out)
{
    uint32_t share = out->nall / 32;
    return share > AP_FINDINGS_PARTNERS_SHOWN ? share : AP_FINDINGS_PARTNERS_SHOWN;
}

int ap_findings__partners_init(ap_findings *out, const ap_graph *g)
{
    uint32_t n = ap_graph_node_count(g);
    if ((out->all = malloc(((size_t)n + 1) * sizeof *out->all)) == NULL)
        return AP_ENOMEM;
    out->nall = 0;
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            out->all[out->nall++] = v;
    return AP_OK;
}

/* p's place among the graph's partners (node index order is id order), or -1. */
static int64_t lookup(const ap_findings *out, uint32_t p)
{
    const uint32_t *at = bsearch(&p, out->all, out->nall, sizeof *out->all, ap_query__u32_cmp);
    return at != NULL ? (int64_t)(at - out->all) : -1;
}

/* lookup() while the rules run: a partner's scan adds it to many findings in a row, so the
 * last answer is kept. */
static int64_t place(ap_findings *out, uint32_t p)
{
    if (out->place_at == 0 || out->place_p != p) {
        out->place_p = p;
        out->place_at = lookup(out, p) + 1;
    }
    return out->place_at - 1;
}

void ap_findings__place_hint(ap_findings *out, uint32_t p, uint32_t at)
{
    out->place_p = p;
    out->place_at = (int64_t)at + 1;
}

/* Insert p into f's list at its place (the list has room); false when it is there. */
static bool insert(ap_finding *f, size_t n, uint32_t p)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->partners[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && f->partners[lo] == p)
        return false;
    memmove(f->partners + lo + 1, f->partners + lo, (n - lo) * sizeof *f->partners);
    f->partners[lo] = p;
    return true;
}

/* From a list to bits (the list's first ones kept). */
static bool to_bits(ap_findings *out, size_t i)
{
    ap_finding *f = &out->items[i];
    uint64_t *bits = calloc((size_t)out->nall / 64 + 1, sizeof *bits);
    if (bits == NULL)
        return false;
    for (size_t k = 0; k < f->npartners; k++) {
        int64_t at = place(out, f->partners[k]);
        if (at < 0) {           /* not a partner node: such a list stays a list */
            free(bits);
            return true;
        }
        bits[at >> 6] |= (uint64_t)1 << (at & 63);
    }
    out->bits[i] = bits;
    return true;
}

void ap_findings__partner(ap_rule_ctx *c, ap_finding *f, uint32_t p)
{
    ap_findings *out = c->out;
    size_t i, n;
    if (f == NULL || c->rc < 0)
        return;                 /* the partners are never frozen (store.c) */
    i = (size_t)(f - out->items);
    n = f->npartners;
    if (out->bits[i] != NULL) {
        int64_t at = place(out, p);
        uint64_t bit = at >= 0 ? (uint64_t)1 << (at & 63) : 0;
        if (at < 0 || (out->bits[i][at >> 6] & bit))
            return;             /* the bits hold partner nodes only; each once */
        out->bits[i][at >> 6] |= bit;
        f->npartners++;
        if (p < f->partners[AP_FINDINGS_PARTNERS_SHOWN - 1]) {      /* among the first */
            insert(f, AP_FINDINGS_PARTNERS_SHOWN - 1, p);
            f->partner = f->partners[0];
        }
        return;
    }
    /* a list, grown at powers of two: partners mostly come in id order, so the end first */
    if (n > 0 && f->partners[n - 1] == p)
        return;
    if ((n & (n - 1)) == 0) {
        uint32_t *list = realloc(f->partners, (n * 2 + 1) * sizeof *list);
        if (list == NULL) {
            c->rc = ap_error_nomem(c->err);
            return;
        }
        f->partners = list;
    }
    if (n > 0 && f->partners[n - 1] > p) {
        if (!insert(f, n, p))
            return;
    } else {
        f->partners[n] = p;
    }
    f->npartners++;
    f->partner = f->partners[0];
    if (f->npartners > limit(out)) {
        if (!to_bits(out, i)) {
            c->rc = ap_error_nomem(c->err);
            return;
        }
        if (out->bits[i] != NULL) {         /* the first ones are enough now */
            uint32_t *list = realloc(f->partners,
                                     AP_FINDINGS_PARTNERS_SHOWN * sizeof *list);
            if (list != NULL)
                f->partners = list;
        }
    }
}

bool ap_findings__partner_word(ap_rule_ctx *c, size_t i, uint32_t w, uint64_t m)
{
    ap_findings *out = c->out;
    ap_finding *f = &out->items[i];
    uint64_t *bits = out->bits[i];
    if (bits == NULL)
        return false;
    uint64_t add = m & ~bits[w];
    bits[w] |= add;
    f->npartners += (size_t)__builtin_popcountll(add);
    /* all[] ascends: past the first that is not among the first ones listed, none is */
    for (; add != 0; add &= add - 1) {
        uint32_t p = out->all[w * 64 + (unsigned)__builtin_ctzll(add)];
        if (p >= f->partners[AP_FINDINGS_PARTNERS_SHOWN - 1])
            break;
        insert(f, AP_FINDINGS_PARTNERS_SHOWN - 1, p);
        f->partner = f->partners[0];
    }
    return true;
}

bool ap_findings__has_partner(const ap_findings *out, size_t i, uint32_t p)
{
    const ap_finding *f = &out->items[i];
    if (out->bits != NULL && out->bits[i] != NULL) {
        int64_t at = lookup(out, p);
        return at >= 0 && (out->bits[i][at >> 6] >> (at & 63) & 1);
    }
    for (size_t k = 0; k < f->npartners; k++)
        if (f->partners[k] == p)
            return true;
    return false;
}

size_t ap_findings_partners(const ap_findings *out, size_t i, uint32_t *list, size_t cap)
{
    const ap_finding *f = &out->items[i];
    size_t n = 0;
    if (out->bits == NULL || out->bits[i] == NULL) {
        for (; n < f->npartners && n < cap; n++)
            list[n] = f->partners[n];
        return f->npartners;
    }
    for (uint32_t w = 0; w <= out->nall / 64; w++)
        for (uint64_t b = out->bits[i][w]; b != 0; b &= b - 1) {
            uint32_t k = w * 64 + (uint32_t)__builtin_ctzll(b);
            if (n < cap)
                list[n] = out->all[k];
            n++;
        }
    return n;
}
