/* query/explain.c: one sentence for a witness path, built from docs/design.md's edge sentences:
 * "Northwind holds api key nw-1, which authenticates as svc-backup, which can read crm". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "query_internal.h"

/* How a node is named in a sentence: a partner by its name, a credential by its type and id,
 * anything else by its id. */
static void put_node(ap_strbuf *b, const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    if (nd->kind == AP_KIND_PARTNER) {
        ap_query__put(b, ap_graph_node_label(g, v));
        return;
    }
    if (nd->kind == AP_KIND_CREDENTIAL) {
        const char *type = ap_graph_node_str(g, v, "type");
        char word[64];
        size_t i = 0;
        for (; type != NULL && type[i] != '\0' && i + 1 < sizeof word; i++)
            word[i] = type[i] == '_' ? ' ' : type[i];
        word[i] = '\0';
        ap_query__put(b, i > 0 ? word : "credential");
        ap_query__put(b, " ");
    }
    ap_query__put(b, nd->id);
}

static const char *verb(const ap_vocab *v, unsigned bit)
{
    return bit == AP_R_ADMIN ? "administer" : v->names[bit];
}

/* "read, write and administer" */
static void put_rights(ap_strbuf *b, const ap_vocab *v, ap_rights r)
{
    unsigned bits[AP_MAX_RIGHTS], n = 0;
    r &= ap_vocab_all(v);
    for (unsigned i = 0; i < v->count; i++)
        if (r >> i & 1)
            bits[n++] = i;
    if (n == v->count) {
        ap_query__put(b, "do anything (every right) to");
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        ap_query__put(b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
        ap_query__put(b, verb(v, bits[i]));
    }
}

/* One clause: the edge's sentence with {u} as subject (or "which" after the first). */
static void put_step(ap_strbuf *b, const ap_graph *g, const ap_authority *a, uint32_t e, int first)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    const ap_vocab *voc = ap_graph_vocab(g);
    ap_rights carried = ap_edge_transfer(ed, a->rights[ed->from]);
    const char *tpl = ap_edge_kind_info_of(ed->kind)->sentence;
    if (!first)
        ap_query__put(b, ", ");
    if (ed->kind == AP_EDGE_TRIGGERS) {
        /* "a change to {u} triggers {v}": the subject comes after the verb */
        ap_query__put(b, first ? "a change to " : "where a change to ");
        put_node(b, g, ed->from);
        ap_query__put(b, " triggers ");
        put_node(b, g, ed->to);
        ap_query__put(b, " (it can ");
        put_rights(b, voc, a->rights[ed->from] & ed->requires);
        ap_query__put(b, " ");
        put_node(b, g, ed->from);
        ap_query__put(b, ")");
        return;
    }
    if (first)
        put_node(b, g, ed->from);
    else
        ap_query__put(b, "which");
    /* the template after "{u}" up to "{v}", with {rights} filled in */
    const char *p = strstr(tpl, "{u}") + 3;
    const char *r = strstr(p, "{rights}");
    const char *vpos = strstr(p, "{v}");
    if (r != NULL && r < vpos) {
        char head[64];
        snprintf(head, sizeof head, "%.*s", (int)(r - p), p);
        ap_query__put(b, head);
        put_rights(b, voc, carried);
        p = r + 8;
    }
    char mid[64];
    snprintf(mid, sizeof mid, "%.*s", (int)(vpos - p), p);
    ap_query__put(b, mid);
    put_node(b, g, ed->to);
    if (ed->requires != 0 && ed->kind != AP_EDGE_TRIGGERS) {
        ap_query__put(b, " (it holds ");
        put_rights(b, voc, a->rights[ed->from] & ed->requires);
        ap_query__put(b, ", which the step requires)");
    }
    if (ed->escalates) {
        /* the confused deputy: what reached {u} now acts with {v}'s rights */
        ap_query__put(b, " (an escalation: whoever can set off ");
        put_node(b, g, ed->from);
        ap_query__put(b, " acts as ");
        put_node(b, g, ed->to);
        ap_query__put(b, ")");
    }
}

/* The sentence for one chain. */
static int chain_sentence(char **out, const ap_graph *g, const ap_authority *a,
                          const uint32_t *path, size_t len, ap_error *err)
{
    ap_strbuf b = { NULL, 0, 0, false };
    *out = NULL;
    for (size_t i = 0; i < len; i++)
        put_step(&b, g, a, path[i], i == 0);
    ap_query__put(&b, "");
    if (b.failed) {
        free(b.s);
        return ap_error_nomem(err);
    }
    *out = b.s;
    return AP_OK;
}

int ap_explain_sentence(char **out, const ap_graph *g, const ap_authority *a, uint32_t v,
                        ap_error *err)
{
    size_t len = ap_authority_path(a, g, v, NULL, 0);
    uint32_t *path;
    int rc;
    *out = NULL;
    if (len == 0)
        return ap_error_set(err, AP_ENOTFOUND, "'%s' cannot reach '%s'",
                            ap_graph_node(g, a->source)->id, ap_graph_node(g, v)->id);
    if ((path = malloc(len * sizeof *path)) == NULL)
        return ap_error_nomem(err);
    ap_authority_path(a, g, v, path, len);
    rc = chain_sentence(out, g, a, path, len, err);
    free(path);
    return rc;
}

void ap_explanations_free(ap_explanation *list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++) {
        free(list[i].edges);
        free(list[i].sentence);
    }
    free(list);
}

/* The shortest chain from the source to v whose every step carries right bit r at the
 * fixpoint (breadth first, edges in index order: deterministic). *len 0 when none. */
static int chain_for_right(uint32_t **out, size_t *len, const ap_graph *g,
                           const ap_authority *a, uint32_t v, unsigned r)
{
    uint32_t n = ap_graph_node_count(g), *queue = malloc((n + 1) * sizeof *queue);
    uint32_t *via = malloc((n + 1) * sizeof *via), head = 0, tail = 0;
    ap_rights bit = (ap_rights)1 << r;
    *out = NULL;
    *len = 0;
    if (queue == NULL || via == NULL) {
        free(queue);
        free(via);
        return -1;
    }
    memset(via, 0xff, (n + 1) * sizeof *via);
    queue[tail++] = a->source;
    while (head < tail && via[v] == AP_UNREACHED) {
        uint32_t u = queue[head++];
        for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (ed->to == a->source || via[ed->to] != AP_UNREACHED
                || !ap_edge_usable(g, ed, a->source)
                || !(ap_edge_transfer(ed, a->rights[u]) & bit))
                continue;
            via[ed->to] = e;
            queue[tail++] = ed->to;
        }
    }
    if (via[v] != AP_UNREACHED) {
        size_t k = 0;
        for (uint32_t u = v; u != a->source; u = ap_graph_edge(g, via[u])->from)
            k++;
        if ((*out = malloc(k * sizeof **out)) != NULL) {
            *len = k;
            for (uint32_t u = v; u != a->source; u = ap_graph_edge(g, via[u])->from)
                (*out)[--k] = via[u];
        }
    }
    free(queue);
    free(via);
    return 0;
}

int ap_explain_all(ap_explanation **out, size_t *n, const ap_graph *g, const ap_authority *a,
                   uint32_t v, ap_error *err)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    ap_rights remaining = a->rights[v] & ap_vocab_all(voc);
    ap_explanation *list = calloc(AP_MAX_RIGHTS + 1, sizeof *list);
    size_t count = 0;
    int rc = AP_OK;
    *out = NULL;
    *n = 0;
    if (list == NULL)
        return ap_error_nomem(err);
    size_t len = ap_authority_path(a, g, v, NULL, 0);
    if (len == 0) {
        free(list);
        return ap_error_set(err, AP_ENOTFOUND, "'%s' cannot reach '%s'",
                            ap_graph_node(g, a->source)->id, ap_graph_node(g, v)->id);
    }
    /* the witness first: the chain through which authority first arrived */
    if ((list[0].edges = malloc(len * sizeof *list[0].edges)) == NULL) {
        rc = ap_error_nomem(err);
        goto fail;
    }
    list[0].len = ap_authority_path(a, g, v, list[0].edges, len);
    count = 1;
    for (;;) {
        ap_explanation *x = &list[count - 1];
        const ap_edge *last = ap_graph_edge(g, x->edges[x->len - 1]);
        x->rights = ap_edge_transfer(last, a->rights[last->from]) & a->rights[v];
        if ((rc = chain_sentence(&x->sentence, g, a, x->edges, x->len, err)) < 0)
            goto fail;
        remaining &= ~x->rights;
        if (remaining == 0 || count > AP_MAX_RIGHTS)
            break;
        unsigned r = 0;
        while (!(remaining >> r & 1))
            r++;
        ap_explanation *next = &list[count];
        if (chain_for_right(&next->edges, &next->len, g, a, v, r) < 0) {
            rc = ap_error_nomem(err);
            goto fail;
        }
        if (next->len == 0) {
            rc = ap_error_set(err, AP_EBUG, "no chain carries '%s' to '%s'", voc->names[r],
                              ap_graph_node(g, v)->id);
            goto fail;
        }
        count++;
    }
    *out = list;
    *n = count;
    return AP_OK;
fail:
    ap_explanations_free(list, count + 1);
    return rc;
}
