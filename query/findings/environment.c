/* query/findings/environment.c: environment isolation (OWASP NHI8): one credential whose own
 * authority reaches both production and non-production nodes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

/* 1 production, 0 another environment, -1 none given. */
static int is_production(const ap_graph *g, uint32_t v)
{
    char buf[64];       /* longer than any production name: compared whole or not equal */
    const char *env = ap_findings__attr_str(ap_graph_node(g, v)->attrs, "environment", buf,
                                            sizeof buf);
    static const char *const prod[] = { "prod", "production", "prd", "live" };
    char low[32];
    size_t i = 0;
    if (env == NULL || env[0] == '\0')
        return -1;
    for (; env[i] != '\0' && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)env[i]);
    low[i] = '\0';
    for (size_t k = 0; k < sizeof prod / sizeof prod[0]; k++)
        if (strcmp(low, prod[k]) == 0)
            return 1;
    return 0;
}

/* Across batches, per credential: the first production and other node its own authority
 * reaches (AP_UNREACHED: none), once it was looked at (seen); per node, is_production + 2
 * once asked (0: not yet): the credentials' runs hear of the same nodes again and again. */
typedef struct {
    uint32_t *prod, *other;
    unsigned char *seen, *env;
} reaches;

static void free_reaches(void *p)
{
    reaches *s = p;
    free(s->prod);
    free(s->other);
    free(s->seen);
    free(s->env);
    free(s);
}

/* The first production and other node of a reach in its order (hops, then id), heard a round
 * at a time: enough once both are known, as nothing later comes before them. */
typedef struct {
    const ap_graph *g;
    unsigned char *env;         /* the state's */
    uint32_t prod, other;
} first_envs;

static bool earlier(const ap_authority *a, uint32_t v, uint32_t than)
{
    return than == AP_UNREACHED || a->hops[v] < a->hops[than]
           || (a->hops[v] == a->hops[than] && v < than);
}

static bool both_found(void *ctx, const ap_authority *a, uint32_t v)
{
    first_envs *f = ctx;
    if (f->env[v] == 0)
        f->env[v] = (unsigned char)(is_production(f->g, v) + 2);
    int env = f->env[v] - 2;
    if (env == 1 && earlier(a, v, f->prod))
        f->prod = v;
    else if (env == 0 && earlier(a, v, f->other))
        f->other = v;
    return f->prod != AP_UNREACHED && f->other != AP_UNREACHED;
}

/* What credential v's own authority reaches: computed once, whichever partners hold it, and
 * only as far as the rounds that find both. */
static int credential_reaches(ap_rule_ctx *c, reaches *s, uint32_t v)
{
    first_envs f = { c->g, s->env, AP_UNREACHED, AP_UNREACHED };
    if (s->seen[v])
        return AP_OK;
    if (ap_findings__authority_until(c, v, both_found, &f) == NULL)
        return c->rc;
    s->prod[v] = f.prod;
    s->other[v] = f.other;
    s->seen[v] = 1;
    return AP_OK;
}

static void say_crossing(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const reaches *s = ap_findings__state(c, sizeof *s, free_reaches);
    uint32_t v = f->subject;
    char held[1800];
    if (s == NULL)
        return;
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "Credential %s, held by %s, reaches production (%s) and %s "
                         "(%s).", ap_graph_node(g, v)->id, held,
                         ap_graph_node(g, s->prod[v])->id,
                         ap_graph_node_str(g, s->other[v], "environment"),
                         ap_graph_node(g, s->other[v])->id);
}

int ap_rule__environment_crossing(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    size_t n = (size_t)ap_graph_node_count(g) + 1;
    reaches *s = ap_findings__state(c, sizeof *s, free_reaches);
    (void)r;
    if (s == NULL)
        return c->rc;
    if (s->seen == NULL) {
        s->prod = malloc(n * sizeof *s->prod);
        s->other = malloc(n * sizeof *s->other);
        s->seen = calloc(n, 1);
        s->env = calloc(n, 1);
        if (s->prod == NULL || s->other == NULL || s->seen == NULL || s->env == NULL) {
            free(s->seen);
            free(s->env);
            s->seen = s->env = NULL;
            return c->rc = ap_error_nomem(c->err);
        }
    }
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL)
                continue;
            /* what the credential itself reaches (computed once, whoever holds it) */
            if (credential_reaches(c, s, v) < 0)
                return c->rc;
            uint32_t prod = s->prod[v], other = s->other[v];
            if (prod == AP_UNREACHED || other == AP_UNREACHED)
                continue;
            ap_finding *f = ap_findings__subject(c, c->partners[i], false, v);
            if (f == NULL)
                continue;               /* another partner's finding: this one joined it */
            ap_findings__path(c, f, c->auth[i], v, AP_UNREACHED);
            ap_findings__node(c, f, prod);
            ap_findings__node(c, f, other);
            ap_findings__fact(c, f, "production", "%s", ap_graph_node(g, prod)->id);
            ap_findings__fact(c, f, "non_production", "%s (%s)", ap_graph_node(g, other)->id,
                              ap_graph_node_str(g, other, "environment"));
            say_crossing(c, f);
        }
    }
    return ap_findings__subjects_said(c, 1, say_crossing);
}
