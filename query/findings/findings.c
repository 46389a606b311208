/* query/findings/findings.c: runs the catalogue on a graph (every rule on the kernel's lanes, then
 * the chains), then the policy's waivers and filters and the order of findings; accessors. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

static const char *const sev_names[AP_SEV_COUNT] = { "low", "medium", "high", "critical" };

const char *ap_severity_name(ap_severity s)
{
    return s > AP_SEV_NONE && s < AP_SEV_COUNT ? sev_names[s] : "?";
}

ap_severity ap_severity_parse(const char *s)
{
    for (int i = 0; s != NULL && i < AP_SEV_COUNT; i++)
        if (strcmp(s, sev_names[i]) == 0)
            return (ap_severity)i;
    return AP_SEV_NONE;
}

size_t ap_findings_count(const ap_findings *f) { return f->n; }
size_t ap_findings_waived(const ap_findings *f) { return f->waived; }

ap_severity ap_findings_rule_severity(const ap_findings *f, const ap_rule *r)
{
    return f->severity[r - ap_rule_at(0)];
}

const char *ap_finding_subject_id(const ap_graph *g, const ap_finding *f)
{
    return f->subject_is_edge ? ap_graph_edge(g, f->subject)->id
                              : ap_graph_node(g, f->subject)->id;
}

const char *ap_finding_fact(const ap_finding *f, const char *key)
{
    for (size_t i = 0; i < f->nfacts; i++)
        if (strcmp(f->facts[i].key, key) == 0)
            return f->facts[i].value;
    return NULL;
}

void ap_findings_free(ap_findings *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        ap_findings__dispose(f, &f->items[i]);
    free(f->items);
    free(f->bits);
    free(f->all);
    ap_findings__store_free(f);
    free(f->severity);
    free(f);
}

/* ---- Running the catalogue ---- */

/* The memory the cache of single-source authorities (drift's partners, credentials) may take. */
#define CACHE_BYTES ((size_t)16 << 20)


/* A finding's place in the order of findings.h; message is read back from the store only for
 * findings that tie on everything before it (sort_ties). */
typedef struct {
    ap_severity worst;          /* the most severe finding of its partner */
    ap_severity severity;
    const char *partner, *rule, *subject;
    char *message;              /* NULL but in a tie */
    size_t index;               /* in out->items */
} sort_key;

static int head_cmp(const sort_key *a, const sort_key *b)
{
    int c;
    if (a->worst != b->worst)
        return a->worst > b->worst ? -1 : 1;
    if ((c = strcmp(a->partner, b->partner)) != 0)
        return c;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if ((c = strcmp(a->rule, b->rule)) != 0)
        return c;
    return strcmp(a->subject, b->subject);
}

static int key_cmp(const void *x, const void *y)
{
    const sort_key *a = x, *b = y;
    int c = head_cmp(a, b);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int message_cmp(const void *x, const void *y)
{
    const sort_key *a = x, *b = y;
    int c = strcmp(a->message, b->message);     /* a rule says one thing once per subject */
    return c != 0 ? c : a->index < b->index ? -1 : a->index > b->index;
}

/* Order each run of keys equal but for the message by the message. */
static int sort_ties(ap_findings *out, sort_key *keys, size_t n)
{
    int rc = AP_OK;
    for (size_t i = 0; i < n && rc == AP_OK;) {
        size_t j = i + 1;
        while (j < n && head_cmp(&keys[i], &keys[j]) == 0)
            j++;
        for (size_t k = i; j - i > 1 && k < j && rc == AP_OK; k++) {
            const ap_finding *f = ap_findings_get(out, keys[k].index);
            if (f == NULL)
                rc = AP_EIO;
            else if ((keys[k].message = strdup(f->message)) == NULL)
                rc = AP_ENOMEM;
        }
        if (rc == AP_OK && j - i > 1)
            qsort(keys + i, j - i, sizeof *keys, message_cmp);
        for (size_t k = i; j - i > 1 && k < j; k++) {
            free(keys[k].message);
            keys[k].message = NULL;
        }
        i = j;
    }
    ap_findings__forget(out);
    return rc;
}

/* Put out->items (and their places in the store) in the order of keys[0..n), following each
 * cycle of the permutation once: no second copy of the findings. */
static void reorder(ap_findings *out, sort_key *keys, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (keys[k].index == SIZE_MAX || keys[k].index == k)
            continue;
        ap_finding f = out->items[k];
        uint64_t spot = out->spot[k], *bits = out->bits[k];
        uint32_t len = out->spot_len[k];
        size_t j = k;
        for (;;) {
            size_t from = keys[j].index;
            keys[j].index = SIZE_MAX;
            if (from == k) {
                out->items[j] = f;
                out->spot[j] = spot;
                out->spot_len[j] = len;
                out->bits[j] = bits;
                break;
            }
            out->items[j] = out->items[from];
            out->spot[j] = out->spot[from];
            out->spot_len[j] = out->spot_len[from];
            out->bits[j] = out->bits[from];
            j = from;
        }
    }
}

/* Waivers, then the partner and severity filters, then the order of findings.h. Every finding
 * is frozen (store.c). */
static int finish(ap_findings *out, const ap_graph *g, const ap_findings_opts *opts,
                  const ap_policy *pol, ap_error *err)
{
    size_t n = 0;
    int rc;
    sort_key *keys = malloc((out->n + 1) * sizeof *keys);
    ap_severity *worst = NULL;
    if (keys == NULL)
        return ap_error_nomem(err);
    if ((worst = malloc(((size_t)ap_graph_node_count(g) + 1) * sizeof *worst)) == NULL) {
        free(keys);
        return ap_error_nomem(err);
    }
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        worst[v] = AP_SEV_NONE;
    out->waived = 0;
    for (size_t i = 0; i < out->n; i++) {
        ap_finding *f = &out->items[i];
        const char *subject = ap_finding_subject_id(g, f);
        bool about = opts->partner < 0
                     || ap_findings__has_partner(out, i, (uint32_t)opts->partner);
        bool keep = about && f->severity >= opts->min_severity;
        if (!keep) {
            ap_findings__dispose(out, f);
            continue;
        }
        for (size_t k = 0; k < pol->nwaivers; k++) {
            const ap_waiver *w = &pol->waivers[k];
            if (strcmp(w->rule, f->rule->id) == 0 && strcmp(w->subject, subject) == 0) {
                f->waiver = w;
                f->waived = ap_graph_at(g) < w->expires;
                break;
            }
        }
        out->waived += f->waived;
        if (!f->waived && f->severity > worst[f->partner])
            worst[f->partner] = f->severity;
        out->items[n] = *f;
        out->spot[n] = out->spot[i];
        out->spot_len[n] = out->spot_len[i];
        out->bits[n] = out->bits[i];
        keys[n] = (sort_key){ AP_SEV_NONE, f->severity, ap_graph_node(g, f->partner)->id,
                              f->rule->id, subject, NULL, n };
        n++;
    }
    for (size_t i = n; i < out->n; i++) {
        out->spot[i] = 0;
        out->bits[i] = NULL;
    }
    out->n = n;
    for (size_t i = 0; i < n; i++)
        keys[i].worst = worst[out->items[i].partner];
    qsort(keys, n, sizeof *keys, key_cmp);
    if ((rc = sort_ties(out, keys, n)) < 0) {
        free(keys);
        free(worst);
        return rc == AP_ENOMEM ? ap_error_nomem(err)
                               : ap_error_set(err, AP_EIO, "cannot read back a finding from "
                                              "its temporary file");
    }
    reorder(out, keys, n);
    free(keys);
    free(worst);
    return AP_OK;
}

static ap_severity severity_of(const ap_policy *p, const ap_rule *r)
{
    for (size_t i = 0; p != NULL && i < p->noverrides; i++)
        if (strcmp(p->overrides[i].rule, r->id) == 0)
            return p->overrides[i].severity;
    return r->severity;
}

static bool selected(const ap_findings_opts *opts, const ap_rule *r)
{
    if (opts->rules == NULL)
        return true;
    for (size_t i = 0; i < opts->nrules; i++)
        if (strcmp(opts->rules[i], r->id) == 0)
            return true;
    return false;
}

int ap_findings_compute(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                        ap_error *err)
{
    return ap_findings_compute_observed(out, g, opts, NULL, err);
}

static int compute(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                   const struct ap_usage *usage, const bool *only, ap_error *err);

int ap_findings_compute_observed(ap_findings **out, const ap_graph *g,
                                 const ap_findings_opts *opts, const struct ap_usage *usage,
                                 ap_error *err)
{
    return compute(out, g, opts, usage, NULL, err);
}

int ap_findings__compute_some(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                              const bool *partners, ap_error *err)
{
    return compute(out, g, opts, NULL, partners, err);
}

int ap_findings__freeze(ap_rule_ctx *c)
{
    int rc = ap_findings__freeze_new(c->out);
    if (rc == AP_ENOMEM)
        return ap_error_nomem(c->err);
    if (rc < 0)
        return ap_error_set(c->err, AP_EIO, "cannot write findings to a temporary file in "
                            "%s: %s", getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] != '\0'
                            ? getenv("TMPDIR") : "/tmp", strerror(errno));
    return AP_OK;
}

/* Remove the findings ap_findings__drop forgot (and their places in the store). */
static void compact(ap_findings *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->items[i].rule != NULL) {
            out->spot[n] = out->spot[i];
            out->spot_len[n] = out->spot_len[i];
            out->bits[n] = out->bits[i];
            out->items[n++] = out->items[i];
        }
    for (size_t i = n; i < out->n; i++) {
        out->spot[i] = 0;
        out->bits[i] = NULL;
    }
    out->n = n;
}

static int compute(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                   const struct ap_usage *usage, const bool *only, ap_error *err)
{
    static const ap_findings_opts all = { NULL, NULL, 0, -1, AP_SEV_NONE };
    ap_policy defaults;
    ap_rule_ctx c;
    ap_out_view *view = NULL;
    uint32_t n = ap_graph_node_count(g);
    int rc = AP_OK;
    *out = NULL;
    if (opts == NULL)
        opts = &all;
    for (size_t i = 0; opts->rules != NULL && i < opts->nrules; i++)
        if (ap_rule_find(opts->rules[i]) == NULL)
            return ap_error_set(err, AP_ENOTFOUND, "no rule '%s' (see authpath rules)",
                                opts->rules[i]);
    ap_policy_default(&defaults);
    memset(&c, 0, sizeof c);
    c.g = g;
    c.policy = opts->policy != NULL ? opts->policy : &defaults;
    c.at = ap_graph_at(g);
    c.usage = usage;
    c.err = err;
    c.batch = CACHE_BYTES;
    c.partners = malloc(((size_t)n + 1) * sizeof *c.partners);
    c.out = calloc(1, sizeof *c.out);
    if (c.out != NULL)
        c.out->loaded = SIZE_MAX;
    if (c.out != NULL && ap_findings__partners_init(c.out, g) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    c.states = calloc(ap_rule_count(), sizeof *c.states);
    c.exists = calloc(ap_rule_count(), 1);
    if (c.out != NULL)
        c.out->severity = calloc(ap_rule_count(), sizeof *c.out->severity);
    if (c.partners == NULL || c.out == NULL
        || c.out->severity == NULL || c.states == NULL
        || c.exists == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < ap_rule_count(); i++)
        c.out->severity[i] = severity_of(c.policy, ap_rule_at(i));
    if ((rc = ap_findings__node_bits(&c)) < 0)
        goto cleanup;
    for (uint32_t v = 0; v < n; v++)
        if (ap_findings__kind(&c, v) == AP_KIND_PARTNER && (only == NULL || only[v]))
            c.partners[c.npartners++] = v;
    if ((rc = ap_query__out_view_new(&view, g, err)) < 0)
        goto cleanup;
    c.view = view;
    /* every rule reads the kernel's lanes (lanes.c), then the chains they show (chains.c) */
    bool use[64] = { false };
    for (size_t i = 0; i < ap_rule_count() && i < 64; i++)
        use[i] = selected(opts, ap_rule_at(i));
    if ((rc = ap_findings__run_lanes(&c, use)) < 0 || (rc = ap_findings__chains(&c)) < 0)
        goto cleanup;
    compact(c.out);
    for (size_t i = 0; i < c.out->n; i++)
        if (c.out->spot_len[i] & AP_SPOT_SILENT) {
            rc = ap_error_set(err, AP_EBUG, "rule '%s' raised a finding without a message",
                              c.out->items[i].rule->id);
            goto cleanup;
        }
    if ((rc = finish(c.out, g, opts, c.policy, err)) < 0)
        goto cleanup;
    *out = c.out;
    c.out = NULL;
cleanup:
    for (uint32_t k = 0; k < c.nws; k++)
        ap_query__authority_ws_free(c.cached_ws[k]);
    free(c.cached_ws);
    free(c.cached_auth);
    ap_query__authority_ws_free(c.until_ws);
    ap_query__out_view_free(view);
    free(c.slot);
    free(c.cached);
    for (size_t i = 0; c.states != NULL && i < ap_rule_count(); i++) {
        ap_findings__subjects_free(c.states[i].subjects);
        if (c.states[i].p != NULL && c.states[i].dispose != NULL)
            c.states[i].dispose(c.states[i].p);
        else
            free(c.states[i].p);
    }
    free(c.states);
    free(c.exists);
    free(c.reqs);
    free(c.dom_owner);
    for (size_t i = 0; i < AP_FINDINGS_FLAGS; i++)
        free(c.flags[i].at);
    ap_findings__attrs_drop(&c);
    free(c.node_bits);
    free(c.partners);
    ap_findings_free(c.out);
    return rc;
}
