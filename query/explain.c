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

/* "a > b > c": the nodes of a chain by id, for a gate's own witness. */
static void put_chain_ids(ap_strbuf *b, const ap_graph *g, const ap_authority *a,
                          const uint32_t *chain, size_t len)
{
    ap_query__put(b, ap_graph_node(g, a->source)->id);
    for (size_t i = 0; i < len; i++) {
        ap_query__put(b, " > ");
        ap_query__put(b, ap_graph_node(g, ap_graph_edge(g, chain[i])->to)->id);
    }
}

/* What opens a gated step: the rights the chain brings to its tail, or (st->gate) a right the
 * tail holds through another chain. */
static void put_gate_rights(ap_strbuf *b, const ap_graph *g, const ap_chain_step *st,
                            ap_rights in)
{
    const ap_edge *ed = ap_graph_edge(g, st->edge);
    put_rights(b, ap_graph_vocab(g), st->gate != 0 ? st->gate : in & ed->requires);
}

/* " through P > a > crm": the cited witness of a gate the chain does not open itself. */
static void put_gate_chain(ap_strbuf *b, const ap_graph *g, const ap_authority *a,
                           const ap_chain_step *st)
{
    uint32_t u = ap_graph_edge(g, st->edge)->from;
    size_t len = ap_authority_chain(a, g, u, st->gate, NULL, 0);
    uint32_t *chain = malloc((len + 1) * sizeof *chain);
    if (chain == NULL) {
        b->failed = true;
        return;
    }
    ap_authority_chain(a, g, u, st->gate, chain, len);
    ap_query__put(b, " through ");
    put_chain_ids(b, g, a, chain, len);
    free(chain);
}

/* One clause: the edge's sentence with {u} as subject (or "which" after the first), its rights
 * what the chain hands on over it (st->carried), `in` what the chain brings to its tail. A gate
 * says what opens it: "(it can write crm)", or, opened by another chain, "(it can write crm
 * through P > key > svc > crm)": the evidence is then a small tree. */
static void put_step(ap_strbuf *b, const ap_graph *g, const ap_authority *a,
                     const ap_chain_step *st, ap_rights in, int first)
{
    const ap_edge *ed = ap_graph_edge(g, st->edge);
    const ap_vocab *voc = ap_graph_vocab(g);
    const char *tpl = ap_edge_kind_info_of(ed->kind)->sentence;
    if (!first)
        ap_query__put(b, ", ");
    if (ed->kind == AP_EDGE_TRIGGERS) {
        /* "a change to {u} triggers {v}": the subject comes after the verb */
        ap_query__put(b, first ? "a change to " : "where a change to ");
        put_node(b, g, ed->from);
        ap_query__put(b, " triggers ");
        put_node(b, g, ed->to);
        if (ed->requires != 0) {
            ap_query__put(b, " (it can ");
            put_gate_rights(b, g, st, in);
            ap_query__put(b, " ");
            put_node(b, g, ed->from);
            if (st->gate != 0)
                put_gate_chain(b, g, a, st);
            ap_query__put(b, ")");
        }
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
        put_rights(b, voc, st->carried);
        p = r + 8;
    }
    char mid[64];
    snprintf(mid, sizeof mid, "%.*s", (int)(vpos - p), p);
    ap_query__put(b, mid);
    put_node(b, g, ed->to);
    if (ed->requires != 0) {
        ap_query__put(b, " (it holds ");
        put_gate_rights(b, g, st, in);
        if (st->gate != 0) {
            ap_query__put(b, " on ");
            put_node(b, g, ed->from);
            put_gate_chain(b, g, a, st);
        }
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

/* The sentence for one chain, from its replay. *rights gets what the chain delivers. */
static int chain_sentence(char **out, ap_rights *rights, const ap_graph *g,
                          const ap_authority *a, const uint32_t *path, size_t len, ap_error *err)
{
    ap_strbuf b = { NULL, 0, 0, false };
    ap_chain_step *steps = malloc((len + 1) * sizeof *steps);
    *out = NULL;
    if (steps == NULL)
        return ap_error_nomem(err);
    ap_rights got = ap_authority_replay(g, a, path, len, steps);
    if (got == 0) {
        free(steps);
        return ap_error_set(err, AP_EBUG, "the chain to '%s' carries nothing",
                            ap_graph_node(g, ap_graph_edge(g, path[len - 1])->to)->id);
    }
    for (size_t i = 0; i < len; i++)
        put_step(&b, g, a, &steps[i], i == 0 ? AP_RIGHTS_ALL : steps[i - 1].carried, i == 0);
    ap_query__put(&b, "");
    free(steps);
    if (b.failed) {
        free(b.s);
        return ap_error_nomem(err);
    }
    if (rights != NULL)
        *rights = got;
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
    rc = chain_sentence(out, NULL, g, a, path, len, err);
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

int ap_explain_all(ap_explanation **out, size_t *n, const ap_graph *g, const ap_authority *a,
                   uint32_t v, ap_error *err)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    ap_explanation *list = NULL;
    size_t count = 0;
    int rc = AP_OK;
    *out = NULL;
    *n = 0;
    if (v >= a->n || v == a->source || a->rights[v] == 0)
        return ap_error_set(err, AP_ENOTFOUND, "'%s' cannot reach '%s'",
                            ap_graph_node(g, a->source)->id, ap_graph_node(g, v)->id);
    /* The rights to cover: the named ones (bits beyond the vocabulary only when v holds no
     * named right: they are never shown, and travel with "all"). */
    ap_rights remaining = a->rights[v] & ap_vocab_all(voc);
    if (remaining == 0)
        remaining = a->rights[v];
    if ((list = calloc(AP_MAX_RIGHTS + 2, sizeof *list)) == NULL)
        return ap_error_nomem(err);
    /* The witness of the earliest arrived right not yet covered, until every right is: the
     * first is the witness path. Each chain delivers its class, so each turn covers at least
     * one more class and the loop ends within nclasses turns. */
    while (remaining != 0 && count < AP_MAX_RIGHTS + 1) {
        ap_explanation *x = &list[count];
        size_t len = ap_authority_chain(a, g, v, remaining, NULL, 0);
        if (len == 0 || (x->edges = malloc(len * sizeof *x->edges)) == NULL) {
            rc = len == 0 ? ap_error_set(err, AP_EBUG, "no witness of '%s'",
                                         ap_graph_node(g, v)->id)
                          : ap_error_nomem(err);
            goto fail;
        }
        x->len = ap_authority_chain(a, g, v, remaining, x->edges, len);
        count++;
        if ((rc = chain_sentence(&x->sentence, &x->rights, g, a, x->edges, x->len, err)) < 0)
            goto fail;
        if ((x->rights & remaining) == 0) {
            rc = ap_error_set(err, AP_EBUG, "the witness of '%s' delivers nothing new",
                              ap_graph_node(g, v)->id);
            goto fail;
        }
        remaining &= ~x->rights;
    }
    *out = list;
    *n = count;
    return AP_OK;
fail:
    ap_explanations_free(list, count + 1);
    return rc;
}
