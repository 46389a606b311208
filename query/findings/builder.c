/* query/findings/builder.c: builds a finding: its subject, partners, nodes, facts, witness
 * path and message, and the chain and partner lists the messages quote. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

static int nomem(ap_rule_ctx *c)
{
    if (c->rc == AP_OK)
        c->rc = ap_error_nomem(c->err);
    return c->rc;
}

/* Can the builder change f: not after an error, and f's arrays its own again (store.c)? */
static bool open_up(ap_rule_ctx *c, ap_finding *f)
{
    if (f == NULL || c->rc < 0)
        return false;
    return ap_findings__at(c, (size_t)(f - c->out->items)) != NULL;
}

ap_finding *ap_findings__add(ap_rule_ctx *c, uint32_t p, bool edge, uint32_t subject)
{
    ap_findings *out = c->out;
    ap_finding *f;
    if (c->rc < 0)
        return NULL;
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        ap_finding *items = realloc(out->items, cap * sizeof *items);
        uint64_t **bits = items != NULL ? realloc(out->bits, cap * sizeof *bits) : NULL;
        if (items != NULL)
            out->items = items;
        if (bits == NULL) {
            nomem(c);
            return NULL;
        }
        memset(bits + out->cap, 0, (cap - out->cap) * sizeof *bits);
        out->bits = bits;
        out->cap = cap;
    }
    out->bits[out->n] = NULL;
    f = &out->items[out->n++];
    memset(f, 0, sizeof *f);
    f->rule = c->rule;
    f->severity = out->severity[c->rule - ap_rule_at(0)];
    f->partner = p;
    f->subject_is_edge = edge;
    f->subject = subject;
    ap_findings__partner(c, f, p);
    if (edge) {
        const ap_edge *e = ap_graph_edge(c->g, subject);
        f->file = e->file;
        f->line = e->line;
        f->col = e->col;
    } else {
        const ap_node *nd = ap_graph_node(c->g, subject);
        f->file = nd->file;
        f->line = nd->line;
        f->col = nd->col;
        ap_findings__node(c, f, subject);
    }
    return f;
}

void ap_findings__node(ap_rule_ctx *c, ap_finding *f, uint32_t v)
{
    if (!open_up(c, f))
        return;
    for (size_t i = 0; i < f->nnodes; i++)
        if (f->nodes[i] == v)
            return;
    uint32_t *p = realloc(f->nodes, (f->nnodes + 1) * sizeof *p);
    if (p == NULL) {
        nomem(c);
        return;
    }
    f->nodes = p;
    f->nodes[f->nnodes++] = v;
}

const char *ap_findings__partner_list(const ap_rule_ctx *c, const ap_finding *f, char *buf,
                                      size_t size, size_t max)
{
    size_t used = 0, i = f != NULL ? (size_t)(f - c->out->items) : 0;
    const uint32_t *list = f != NULL ? f->partners : NULL;
    uint32_t *all = NULL;
    buf[0] = '\0';
    /* past the first ones listed, from the finding's bits (partners.c) */
    bool more = f != NULL && max > AP_FINDINGS_PARTNERS_SHOWN
                && f->npartners > AP_FINDINGS_PARTNERS_SHOWN;
    if (more && (all = malloc(f->npartners * sizeof *all)) != NULL) {
        ap_findings_partners(c->out, i, all, f->npartners);
        list = all;
    } else if (more && c->out->bits[i] != NULL) {
        max = AP_FINDINGS_PARTNERS_SHOWN;   /* out of memory: the first ones only */
    }
    for (size_t k = 0; f != NULL && k < f->npartners && k < max; k++) {
        bool last = k + 1 == f->npartners;
        used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", k == 0 ? "" : last ? " and " : ", ",
                 ap_graph_node(c->g, list[k])->id);
    }
    if (f != NULL && f->npartners > max) {
        used = strlen(buf);
        snprintf(buf + used, size - used, " and %zu more", f->npartners - max);
    }
    free(all);
    return buf;
}

/* fmt's text in new memory: formatted once into a buffer on the stack, which holds nearly every
 * fact and message, and a second time only when it is longer. */
static char *vformat(const char *fmt, va_list ap)
{
    char small[1024];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s != NULL && (size_t)n < sizeof small)
        memcpy(s, small, (size_t)n + 1);
    else if (s != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static void add_fact(ap_rule_ctx *c, ap_finding *f, const char *key, char *value)
{
    ap_fact *p;
    if (value == NULL || (p = realloc(f->facts, (f->nfacts + 1) * sizeof *p)) == NULL) {
        free(value);
        nomem(c);
        return;
    }
    f->facts = p;
    f->facts[f->nfacts].key = key;
    f->facts[f->nfacts++].value = value;
}

const char *ap_findings__fact_of(const ap_finding *f, const char *key)
{
    for (size_t k = 0; f != NULL && k < f->nfacts; k++)
        if (strcmp(f->facts[k].key, key) == 0)
            return f->facts[k].value;
    return NULL;
}

void ap_findings__fact(ap_rule_ctx *c, ap_finding *f, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (!open_up(c, f))
        return;
    va_start(ap, fmt);
    add_fact(c, f, key, vformat(fmt, ap));
    va_end(ap);
}

void ap_findings__date_text(char *buf, size_t size, int64_t t)
{
    if (t % AP_DAY == 0)
        ap_date_format(buf, size, t);
    else
        ap_time_format(buf, size, t);
}

void ap_findings__date(ap_rule_ctx *c, ap_finding *f, const char *key, int64_t t)
{
    char buf[32];
    ap_findings__date_text(buf, sizeof buf, t);
    ap_findings__fact(c, f, key, "%s", buf);
}

void ap_findings__rights(ap_rule_ctx *c, ap_finding *f, const char *key, ap_rights r)
{
    char buf[1024];
    ap_rights_format(buf, sizeof buf, ap_graph_vocab(c->g), r, ", ", true);
    ap_findings__fact(c, f, key, "%s", buf);
}

void ap_findings__path(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    if (!open_up(c, f))
        return;
    /* v's witness for what e passes on, so the path with e appended still carries something */
    const ap_edge *ed = e != AP_UNREACHED ? ap_graph_edge(c->g, e) : NULL;
    ap_rights want = ed != NULL && !ed->escalates ? ed->rights : AP_RIGHTS_ALL;
    size_t len = ap_authority_chain(a, c->g, v, want, NULL, 0);
    uint32_t *p = realloc(f->path, (f->npath + len + 2) * sizeof *p);
    if (p == NULL) {
        nomem(c);
        return;
    }
    f->path = p;
    ap_authority_chain(a, c->g, v, want, p + f->npath, len);
    if (e != AP_UNREACHED)
        p[f->npath + len++] = e;
    /* a witness path visits each node once: check its nodes against those named before it
     * only, so a long path costs its length, not its length squared */
    size_t before = f->nnodes;
    uint32_t *nodes = realloc(f->nodes, (f->nnodes + len + 1) * sizeof *nodes);
    if (nodes == NULL) {
        nomem(c);
        return;
    }
    f->nodes = nodes;
    for (size_t i = f->npath; i < f->npath + len; i++) {
        uint32_t to = ap_graph_edge(c->g, p[i])->to;
        bool named = false;
        for (size_t k = 0; k < before && !named; k++)
            named = nodes[k] == to;
        for (size_t k = before; k < f->nnodes && !named && i + 1 == f->npath + len; k++)
            named = nodes[k] == to;         /* an edge after the path may return to it */
        if (!named)
            nodes[f->nnodes++] = to;
    }
    f->npath += len;
}

ap_rights ap_findings__path_for(ap_rule_ctx *c, ap_finding *f, const ap_authority *a,
                                uint32_t v, ap_rights want)
{
    size_t len = ap_authority_chain(a, c->g, v, want, NULL, 0), start;
    if (f == NULL || len == 0 || !open_up(c, f))
        return 0;
    start = f->npath;
    uint32_t *p = realloc(f->path, (f->npath + len + 1) * sizeof *p);
    uint32_t *nodes = realloc(f->nodes, (f->nnodes + len + 1) * sizeof *nodes);
    if (p != NULL)
        f->path = p;
    if (nodes != NULL)
        f->nodes = nodes;
    if (p == NULL || nodes == NULL) {
        nomem(c);
        return 0;
    }
    ap_authority_chain(a, c->g, v, want, p + start, len);
    size_t before = f->nnodes;
    for (size_t i = start; i < start + len; i++) {
        uint32_t to = ap_graph_edge(c->g, p[i])->to;
        bool named = false;
        for (size_t k = 0; k < before && !named; k++)
            named = nodes[k] == to;
        if (!named)
            nodes[f->nnodes++] = to;
    }
    f->npath += len;
    return ap_authority_replay(c->g, a, p + start, len, NULL);
}

uint32_t ap_findings__stop_at_partner(ap_rule_ctx *c, ap_finding *f, uint32_t target)
{
    if (!open_up(c, f))
        return AP_UNREACHED;
    for (size_t k = 0; k + 1 < f->npath; k++) {
        uint32_t to = ap_graph_edge(c->g, f->path[k])->to;
        if (ap_graph_node(c->g, to)->kind != AP_KIND_PARTNER || to == f->partner)
            continue;
        f->npath = k + 1;
        f->nnodes = f->nnodes < k + 2 ? f->nnodes : k + 2;
        ap_findings__node(c, f, target);
        ap_findings__fact(c, f, "through_partner", "%s", ap_graph_node(c->g, to)->id);
        return to;
    }
    return AP_UNREACHED;
}

void ap_findings__message(ap_rule_ctx *c, ap_finding *f, const char *fmt, ...)
{
    va_list ap;
    if (!open_up(c, f))
        return;
    va_start(ap, fmt);
    free(f->message);
    if ((f->message = vformat(fmt, ap)) == NULL)
        nomem(c);
    va_end(ap);
}

const char *ap_findings__chain(const ap_rule_ctx *c, const ap_finding *f, char *buf,
                               size_t size)
{
    /* a long chain in a sentence: its first and last steps, the count between (the path
     * itself is in the evidence); and never an id cut by the buffer */
    const size_t half = AP_FINDINGS_CHAIN_WORDS / 2;
    size_t used, skip = f != NULL && f->npath > 2 * half ? f->npath - 2 * half : 0;
    if (f == NULL || f->npath == 0) {
        snprintf(buf, size, "%s", f != NULL ? ap_graph_node(c->g, f->partner)->id : "");
        return buf;
    }
    snprintf(buf, size, "%s", ap_graph_node(c->g, ap_graph_edge(c->g, f->path[0])->from)->id);
    for (size_t i = 0; i < f->npath; i++) {
        const char *to = ap_graph_node(c->g, ap_graph_edge(c->g, f->path[i])->to)->id;
        used = strlen(buf);
        if (skip > 0 && i == half) {
            snprintf(buf + used, size - used, " > [%zu more steps] > %s", skip,
                     ap_graph_node(c->g, ap_graph_edge(c->g, f->path[i + skip])->from)->id);
            i += skip - 1;
            continue;
        }
        if (used + strlen(to) + 4 >= size) {
            snprintf(buf + used, size - used, " > [%zu more steps]", f->npath - i);
            break;
        }
        snprintf(buf + used, size - used, " > %s", to);
    }
    return buf;
}

void ap_findings__reset(ap_rule_ctx *c, ap_finding *f)
{
    if (!open_up(c, f))
        return;
    for (size_t i = 0; i < f->nfacts; i++)
        free(f->facts[i].value);
    f->nfacts = 0;
    f->nnodes = f->subject_is_edge ? 0 : 1;     /* a node subject stays first */
    f->npath = 0;
}

void ap_findings__drop(ap_rule_ctx *c, size_t index)
{
    ap_finding *f = &c->out->items[index];
    ap_findings__dispose(c->out, f);
    memset(f, 0, sizeof *f);        /* no rule: compute() removes it */
}

