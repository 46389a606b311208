/* query/blast.c: a partner's blast radius from its authority: what it reaches by kind and
 * sensitivity, who it can act as, whose authority it inherits, where it escalates, the score. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"

void ap_weights_default(ap_weights *w)
{
    static const int sens[AP_SENS_COUNT] = { 1, 2, 4, 8, 16 };
    /* read write delete admin execute approve mint delegate (docs/design.md, blast radius) */
    static const int rights[AP_R_BUILTIN] = { 1, 2, 3, 5, 3, 4, 4, 4 };
    memcpy(w->sens_weight, sens, sizeof sens);
    for (int i = 0; i < AP_MAX_RIGHTS; i++)
        w->right_weight[i] = i < AP_R_BUILTIN ? rights[i] : 1;
}

int64_t ap_blast_node_score(const ap_graph *g, uint32_t v, ap_rights r, const ap_weights *w)
{
    const ap_node *nd = ap_graph_node(g, v);
    const ap_vocab *voc = ap_graph_vocab(g);
    int best = 0;
    if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
        return 0;
    r &= ap_vocab_all(voc);
    for (unsigned i = 0; i < voc->count; i++)
        if ((r >> i & 1) && w->right_weight[i] > best)
            best = w->right_weight[i];
    ap_sensitivity s = nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity;
    return (int64_t)w->sens_weight[s] * best;
}

const char *ap_node_domain(const ap_graph *g, uint32_t v)
{
    const char *d = ap_graph_node_str(g, v, "domain");
    if (d != NULL && d[0] != '\0')
        return d;
    return ap_graph_node(g, v)->kind == AP_KIND_PARTNER ? ap_graph_node(g, v)->id : "home";
}

void ap_blast_free(ap_blast *b)
{
    if (b == NULL)
        return;
    free(b->workflows);
    free(b->identities);
    free(b->partners);
    free(b->escalations);
    free(b->boundaries);
    free(b);
}

static int push(uint32_t **list, uint32_t *n, uint32_t x)
{
    if ((*n & (*n - 1)) == 0 || *n == 0) {      /* grow at powers of two */
        uint32_t cap = *n ? *n * 2 : 4;
        uint32_t *p = realloc(*list, cap * sizeof *p);
        if (p == NULL)
            return -1;
        *list = p;
    }
    (*list)[(*n)++] = x;
    return 0;
}

int ap_blast_compute(ap_blast **out, const ap_graph *g, const ap_authority *a,
                     const ap_weights *w, ap_error *err)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    ap_blast *b = calloc(1, sizeof *b);
    int bad = 0;
    *out = NULL;
    if (b == NULL)
        return ap_error_nomem(err);
    b->partner = a->source;
    /* the lists in id order (node index order), as the all-partners kernel gives them */
    for (uint32_t v = 0; v < a->n; v++) {
        const ap_node *nd = ap_graph_node(g, v);
        ap_rights r = a->rights[v] & ap_vocab_all(voc);
        if (v == a->source || a->rights[v] == 0)
            continue;
        b->by_kind[nd->kind]++;
        if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW) {
            ap_sensitivity s = nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL
                                                               : nd->sensitivity;
            b->by_sens[s]++;
            for (unsigned k = 0; k < voc->count; k++)
                if (r >> k & 1)
                    b->by_sens_right[s][k]++;
            int64_t part = ap_blast_node_score(g, v, r, w);
            b->score += part;
            b->score_by_sens[s] += part;
        }
        if (nd->kind == AP_KIND_WORKFLOW)
            bad |= push(&b->workflows, &b->nworkflows, v);
        else if (nd->kind == AP_KIND_IDENTITY)
            bad |= push(&b->identities, &b->nidentities, v);
        else if (nd->kind == AP_KIND_PARTNER)
            bad |= push(&b->partners, &b->npartners, v);
    }
    /* edges that carry authority at the fixpoint, in edge order */
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (a->rights[ed->from] == 0 || !ap_edge_usable(g, ed, a->source)
            || ap_edge_transfer(ed, a->rights[ed->from]) == 0)
            continue;
        if (ed->escalates)
            bad |= push(&b->escalations, &b->nescalations, e);
        if (strcmp(ap_node_domain(g, ed->from), ap_node_domain(g, ed->to)) != 0)
            bad |= push(&b->boundaries, &b->nboundaries, e);
    }
    if (bad) {
        ap_blast_free(b);
        return ap_error_nomem(err);
    }
    *out = b;
    return AP_OK;
}
