/* query/findings/findings.c: runs the catalogue on a graph. Computes partners' authorities a
 * batch at a time for all rules, builds findings with their evidence, applies the policy, sorts. */
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
const ap_finding *ap_findings_get(const ap_findings *f, size_t i) { return &f->items[i]; }
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

static void finding_dispose(ap_finding *f)
{
    free(f->message);
    free(f->nodes);
    free(f->partners);
    for (size_t i = 0; i < f->nfacts; i++)
        free(f->facts[i].value);
    free(f->facts);
    free(f->path);
}

void ap_findings_free(ap_findings *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        finding_dispose(&f->items[i]);
    free(f->items);
    free(f->severity);
    free(f);
}

/* ---- The context ---- */

int64_t ap_findings__partner_index(const ap_rule_ctx *c, uint32_t p)
{
    uint32_t lo = 0, hi = c->npartners;
    while (lo < hi) {                   /* partners[] is in node order */
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->partners[mid] == p)
            return mid;
        if (c->partners[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* What one authority holds in memory (its per-node arrays and its arrivals), roughly. */
static size_t authority_bytes(const ap_authority *a)
{
    return (size_t)a->n * (sizeof *a->rights + sizeof *a->hops + sizeof *a->row)
           + (size_t)a->nreach * sizeof *a->reach
           + ((size_t)a->nreach + 1) * a->nclasses * sizeof *a->arrivals;
}

/* The memory a batch of partners' authorities may take, and the cache of other nodes'. */
#define BATCH_BYTES ((size_t)16 << 20)

static void flush_cache(ap_rule_ctx *c)
{
    for (uint32_t k = 0; k < c->ncached; k++)
        c->slot[c->cached[k]] = 0;
    c->ncached = 0;
    c->cached_bytes = 0;
}

const ap_authority *ap_findings__authority(ap_rule_ctx *c, uint32_t v)
{
    int64_t pi = ap_findings__partner_index(c, v);
    if (pi >= c->lo && pi < c->hi)
        return c->auth[pi];
    if (c->rc < 0)
        return NULL;
    if (c->slot == NULL) {
        size_t n = (size_t)ap_graph_node_count(c->g) + 1;
        c->slot = calloc(n, sizeof *c->slot);
        c->cached = malloc(n * sizeof *c->cached);
        c->cached_ws = calloc(n, sizeof *c->cached_ws);
        c->cached_auth = calloc(n, sizeof *c->cached_auth);
        if (c->slot == NULL || c->cached == NULL || c->cached_ws == NULL
            || c->cached_auth == NULL) {
            c->rc = ap_error_nomem(c->err);
            return NULL;
        }
    }
    if (c->slot[v] == 0) {
        const ap_authority *a;
        if (c->cached_bytes > c->batch)
            flush_cache(c);
        uint32_t k = c->ncached;
        int rc = k < c->nws ? AP_OK : ap_query__authority_ws_new(&c->cached_ws[c->nws], c->g,
                                                                 c->err);
        c->nws += k == c->nws && rc == AP_OK;
        /* the workspace's last authority, at the address the next one takes: what the walks
         * remember of it goes */
        if (k < c->nws && c->memo->a == c->cached_auth[k])
            c->memo->a = NULL;
        if (k < c->nws && c->visit->a == c->cached_auth[k])
            c->visit->a = NULL;
        if (rc == AP_OK)
            rc = ap_query__authority_run(&a, c->cached_ws[k], c->g, v, c->err);
        if (rc < 0) {
            c->rc = rc;
            return NULL;
        }
        c->cached_auth[k] = a;
        c->cached[c->ncached++] = v;
        c->slot[v] = c->ncached;
        c->cached_bytes += authority_bytes(a);
    }
    return c->cached_auth[c->slot[v] - 1];
}

const ap_authority *ap_findings__authority_until(ap_rule_ctx *c, uint32_t v,
                                                 bool (*enough)(void *ctx, const ap_authority *a,
                                                                uint32_t v),
                                                 void *ctx)
{
    int rc;
    if (c->rc < 0)
        return NULL;
    if (c->until_ws == NULL && (rc = ap_query__authority_ws_new(&c->until_ws, c->g, c->err)) < 0) {
        c->rc = rc;
        return NULL;
    }
    if (c->memo->a == c->until)         /* the same address, another authority */
        c->memo->a = NULL;
    if (c->visit->a == c->until)
        c->visit->a = NULL;
    rc = ap_query__authority_run_until(&c->until, c->until_ws, c->g, v, enough, ctx, c->err);
    if (rc < 0) {
        c->rc = rc;
        return NULL;
    }
    return c->until;
}

typedef struct {
    size_t *slot;
} slot_state;

static void free_slots(void *p)
{
    free(((slot_state *)p)->slot);
    free(p);
}

size_t *ap_findings__slots(ap_rule_ctx *c, size_t count)
{
    slot_state *s = ap_findings__state(c, sizeof *s, free_slots);
    if (s == NULL || s->slot != NULL)
        return s != NULL ? s->slot : NULL;
    if ((s->slot = malloc((count + 1) * sizeof *s->slot)) == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (size_t i = 0; i <= count; i++)
        s->slot[i] = SIZE_MAX;
    return s->slot;
}

bool ap_findings__exists(ap_rule_ctx *c, bool edge, bool (*yes)(const ap_rule_ctx *, uint32_t))
{
    unsigned char *known = &c->exists[c->rule - ap_rule_at(0)];
    uint32_t n = edge ? ap_graph_edge_count(c->g) : ap_graph_node_count(c->g);
    for (uint32_t x = 0; *known == 0 && x < n; x++)
        if (yes(c, x))
            *known = 2;
    if (*known == 0)
        *known = 1;
    return *known == 2;
}

void *ap_findings__state(ap_rule_ctx *c, size_t size, void (*dispose)(void *))
{
    ap_rule_state *s = &c->states[c->rule - ap_rule_at(0)];
    if (s->p == NULL) {
        if ((s->p = calloc(1, size)) == NULL) {
            c->rc = ap_error_nomem(c->err);
            return NULL;
        }
        s->dispose = dispose;
    }
    return s->p;
}

/* Can the attributes text name key? It is canonical JSON (graph.h: json_dumps, which writes an
 * ASCII key as it is), so a key it holds appears quoted in it; one it lacks mostly does not,
 * and then nothing need parse the text (the graph keeps each parsed object for the run). */
static bool may_name(const char *attrs, const char *key)
{
    const char *at = attrs;
    size_t len = strlen(key);
    while (at != NULL && (at = strchr(at, '"')) != NULL) {
        if (strncmp(at + 1, key, len) == 0 && at[len + 1] == '"')
            return true;
        at++;
    }
    return false;
}

static bool lookup(const ap_graph *g, bool edge, uint32_t x, const char *key, int mode,
                   const char *value)
{
    if (!may_name(edge ? ap_graph_edge(g, x)->attrs : ap_graph_node(g, x)->attrs, key))
        return mode == 1;               /* absent: a boolean's default, no string */
    if (mode == 2) {
        const char *s = ap_graph_node_str(g, x, key);
        return s != NULL && s[0] != '\0' && (value == NULL || strcmp(s, value) == 0);
    }
    return edge ? ap_graph_edge_bool(g, x, key, mode == 1)
                : ap_graph_node_bool(g, x, key, mode == 1);
}

static bool same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool flag(const ap_rule_ctx *c, bool edge, uint32_t x, const char *key, int mode,
                 const char *value)
{
    ap_flag_cache *slot = NULL, *flags = ((ap_rule_ctx *)c)->flags;
    /* the rules pass string literals: the same address first, then the same text */
    for (size_t i = 0; i < AP_FINDINGS_FLAGS && flags[i].key != NULL && slot == NULL; i++)
        if (flags[i].key == key && flags[i].value == value && flags[i].edge == edge
            && flags[i].mode == mode)
            slot = &flags[i];
    for (size_t i = 0; i < AP_FINDINGS_FLAGS && slot == NULL; i++) {
        ap_flag_cache *k = &flags[i];
        if (k->key == NULL || (k->edge == edge && k->mode == mode && strcmp(k->key, key) == 0
                               && same(k->value, value)))
            slot = k;
    }
    if (slot != NULL && slot->at == NULL) {
        size_t n = edge ? ap_graph_edge_count(c->g) : ap_graph_node_count(c->g);
        if ((slot->at = calloc(n + 1, 1)) == NULL) {
            slot = NULL;
        } else {
            slot->key = key;
            slot->value = value;
            slot->edge = edge;
            slot->mode = mode;
        }
    }
    if (slot != NULL && slot->at[x] != 0)
        return slot->at[x] == 2;
    bool yes = lookup(c->g, edge, x, key, mode, value);
    if (slot != NULL)                   /* (else every slot taken, or out of memory) */
        slot->at[x] = yes ? 2 : 1;
    return yes;
}

bool ap_findings__node_flag(const ap_rule_ctx *c, uint32_t v, const char *key, bool dflt)
{
    return flag(c, false, v, key, dflt ? 1 : 0, NULL);
}

bool ap_findings__edge_flag(const ap_rule_ctx *c, uint32_t e, const char *key, bool dflt)
{
    return flag(c, true, e, key, dflt ? 1 : 0, NULL);
}

bool ap_findings__node_named(const ap_rule_ctx *c, uint32_t v, const char *key)
{
    return flag(c, false, v, key, 2, NULL);
}

bool ap_findings__node_is(const ap_rule_ctx *c, uint32_t v, const char *key, const char *value)
{
    return flag(c, false, v, key, 2, value);
}

bool ap_findings__carries(const ap_rule_ctx *c, const ap_authority *a, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return a->rights[ed->from] != 0 && ap_edge_usable(c->g, ed, a->source)
           && ap_edge_transfer(ed, a->rights[ed->from]) != 0;
}

/* Make m ready for a's walks: a new generation when a changes, room for its slots. */
static bool memo_for(ap_walk_memo *m, const ap_authority *a)
{
    size_t slots = ((size_t)a->nreach + 1) * a->nclasses + 1;
    if (m->a == a && m->cap >= slots)
        return true;
    if (m->cap < slots) {
        uint32_t *stamp = realloc(m->stamp, slots * sizeof *stamp);
        if (stamp == NULL)
            return false;
        m->stamp = stamp;
        uint32_t *value = realloc(m->value, slots * sizeof *value);
        if (value == NULL)
            return false;
        m->value = value;
        int64_t *stack = realloc(m->stack, 2 * slots * sizeof *stack);
        if (stack == NULL)
            return false;
        m->stack = stack;
        memset(m->stamp + m->cap, 0, (slots - m->cap) * sizeof *stamp);
        m->cap = slots;
    }
    if (++m->gen == 0) {                /* wrapped: forget everything */
        memset(m->stamp, 0, m->cap * sizeof *m->stamp);
        m->gen = 1;
    }
    m->a = a;
    return true;
}

uint32_t ap_findings__first_partner(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    const ap_graph *g = c->g;
    ap_walk_memo *m = c->memo;
    uint32_t nc = a->nclasses, found = AP_UNREACHED;
    size_t depth = 0;
    if (v == a->source || a->rights[v] == 0)
        return AP_UNREACHED;
    if (!memo_for(m, a)) {              /* out of memory: claim nothing */
        ((ap_rule_ctx *)c)->rc = c->rc < 0 ? c->rc : ap_error_nomem(c->err);
        return AP_UNREACHED;
    }
    int cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], AP_RIGHTS_ALL,
                                   AP_UNREACHED, false);
    /* the walk of ap_authority_chain, back until the source or a remembered (node, class):
     * the walk from a node with a class is the same whichever chain led there. Stacked: the
     * slots passed (>= 0) and the partners passed (-1 - node). */
    for (uint32_t u = v; u != a->source && cls >= 0;) {
        size_t slot = (size_t)a->row[u] * nc + (uint32_t)cls;
        if (m->stamp[slot] == m->gen) {
            found = m->value[slot];
            break;
        }
        const ap_arrival *x = &a->arrivals[slot];
        const ap_edge *e = ap_graph_edge(g, x->edge);
        m->stack[depth++] = (int64_t)slot;
        u = e->from;
        if (u != a->source && ap_graph_node(g, u)->kind == AP_KIND_PARTNER)
            m->stack[depth++] = -1 - (int64_t)u;
        if (e->escalates && u != a->source)
            cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * nc],
                                       AP_RIGHTS_ALL, x->round - 1, true);
    }
    /* back towards v: each slot's answer is the partner nearest the source before it */
    while (depth > 0) {
        int64_t s = m->stack[--depth];
        if (s < 0 && found == AP_UNREACHED) {
            found = (uint32_t)(-1 - s);
        } else if (s >= 0) {
            m->stamp[s] = m->gen;
            m->value[s] = found;
        }
    }
    return found;
}

size_t ap_findings__walk_new(const ap_rule_ctx *c, const ap_authority *a, uint32_t v,
                             uint32_t *out)
{
    const ap_graph *g = c->g;
    ap_walk_memo *m = c->visit;
    uint32_t nc = a->nclasses;
    size_t n = 0;
    if (v == a->source || a->rights[v] == 0)
        return 0;
    if (!memo_for(m, a)) {              /* out of memory: name nothing */
        ((ap_rule_ctx *)c)->rc = c->rc < 0 ? c->rc : ap_error_nomem(c->err);
        return 0;
    }
    int cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], AP_RIGHTS_ALL,
                                   AP_UNREACHED, false);
    /* the walk of ap_authority_chain (as ap_findings__first_partner's); an inner (node,
     * class) walked before means the rest of the way was walked too */
    for (uint32_t u = v; u != a->source && cls >= 0;) {
        size_t slot = (size_t)a->row[u] * nc + (uint32_t)cls;
        if (u != v) {
            if (m->stamp[slot] == m->gen)
                break;
            m->stamp[slot] = m->gen;
            out[n++] = u;
        }
        const ap_arrival *x = &a->arrivals[slot];
        const ap_edge *e = ap_graph_edge(g, x->edge);
        u = e->from;
        if (e->escalates && u != a->source)
            cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * nc],
                                       AP_RIGHTS_ALL, x->round - 1, true);
    }
    return n;
}

size_t ap_findings__path_len(const ap_authority *a, uint32_t v)
{
    if (v >= a->n || v == a->source || a->rights[v] == 0)
        return 0;
    const ap_arrival *row = &a->arrivals[(size_t)a->row[v] * a->nclasses];
    int cls = ap_query__best_class(a, row, AP_RIGHTS_ALL, AP_UNREACHED, false);
    return cls < 0 ? 0 : row[cls].len;
}

bool ap_findings__direct(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    if (v == a->source || a->rights[v] == 0)
        return false;
    return ap_findings__first_partner(c, a, v) == AP_UNREACHED;
}

bool ap_findings__owns(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    if (!ap_findings__direct(c, a, v))
        return false;
    if (ap_findings__path_len(a, v) == 1)
        return true;
    return strcmp(ap_node_domain(c->g, v), ap_graph_node(c->g, a->source)->id) == 0;
}

ap_sensitivity ap_findings__sensitivity(const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
        return AP_SENS_NONE;
    return nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity;
}

/* ---- The builder ---- */

static int nomem(ap_rule_ctx *c)
{
    if (c->rc == AP_OK)
        c->rc = ap_error_nomem(c->err);
    return c->rc;
}

static ap_severity severity_of(const ap_policy *p, const ap_rule *r)
{
    for (size_t i = 0; p != NULL && i < p->noverrides; i++)
        if (strcmp(p->overrides[i].rule, r->id) == 0)
            return p->overrides[i].severity;
    return r->severity;
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
        if (items == NULL) {
            nomem(c);
            return NULL;
        }
        out->items = items;
        out->cap = cap;
    }
    f = &out->items[out->n++];
    memset(f, 0, sizeof *f);
    f->rule = c->rule;
    f->severity = severity_of(c->policy, c->rule);
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
    if (f == NULL || c->rc < 0)
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

void ap_findings__partner(ap_rule_ctx *c, ap_finding *f, uint32_t p)
{
    size_t k = f != NULL ? f->npartners : 0, lo = 0;
    if (f == NULL || c->rc < 0)
        return;
    /* partners mostly come in id order: the end first, then a binary search */
    if (k > 0 && f->partners[k - 1] >= p) {
        size_t hi = k;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (f->partners[mid] < p)
                lo = mid + 1;
            else
                hi = mid;
        }
        k = lo;
        if (f->partners[k] == p)
            return;
    }
    uint32_t *list = f->partners;
    if ((f->npartners & (f->npartners - 1)) == 0) {     /* grown at powers of two */
        if ((list = realloc(f->partners, (f->npartners * 2 + 1) * sizeof *list)) == NULL) {
            nomem(c);
            return;
        }
    }
    memmove(list + k + 1, list + k, (f->npartners - k) * sizeof *list);
    list[k] = p;
    f->partners = list;
    f->partner = list[0];
    f->npartners++;
}

const char *ap_findings__partner_list(const ap_rule_ctx *c, const ap_finding *f, char *buf,
                                      size_t size, size_t max)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; f != NULL && i < f->npartners && i < max; i++) {
        bool last = i + 1 == f->npartners;
        used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : last ? " and " : ", ",
                 ap_graph_node(c->g, f->partners[i])->id);
    }
    if (f != NULL && f->npartners > max) {
        used = strlen(buf);
        snprintf(buf + used, size - used, " and %zu more", f->npartners - max);
    }
    return buf;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s != NULL)
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

void ap_findings__fact(ap_rule_ctx *c, ap_finding *f, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (f == NULL || c->rc < 0)
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
    if (f == NULL || c->rc < 0)
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

uint32_t ap_findings__stop_at_partner(ap_rule_ctx *c, ap_finding *f, uint32_t target)
{
    if (f == NULL || c->rc < 0)
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
    if (f == NULL || c->rc < 0)
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
    (void)c;
    for (size_t i = 0; i < f->nfacts; i++)
        free(f->facts[i].value);
    f->nfacts = 0;
    f->nnodes = f->subject_is_edge ? 0 : 1;     /* a node subject stays first */
    f->npath = 0;
}

void ap_findings__drop(ap_rule_ctx *c, size_t index)
{
    ap_finding *f = &c->out->items[index];
    finding_dispose(f);
    memset(f, 0, sizeof *f);        /* no rule: compute() removes it */
}

/* ---- Running the catalogue ---- */

typedef struct {
    ap_finding f;
    ap_severity worst;          /* the most severe finding of its partner */
    const char *partner, *subject;
} sort_item;

static int finding_cmp(const void *x, const void *y)
{
    const sort_item *a = x, *b = y;
    int c;
    if (a->worst != b->worst)
        return a->worst > b->worst ? -1 : 1;
    if ((c = strcmp(a->partner, b->partner)) != 0)
        return c;
    if (a->f.severity != b->f.severity)
        return a->f.severity > b->f.severity ? -1 : 1;
    if ((c = strcmp(a->f.rule->id, b->f.rule->id)) != 0)
        return c;
    if ((c = strcmp(a->subject, b->subject)) != 0)
        return c;
    return strcmp(a->f.message, b->f.message);   /* a rule says one thing once per subject */
}

/* Waivers, then the partner and severity filters, then the order of findings.h. */
static int finish(ap_findings *out, const ap_graph *g, const ap_findings_opts *opts,
                  const ap_policy *pol, ap_error *err)
{
    size_t n = 0;
    sort_item *items = calloc(out->n + 1, sizeof *items);
    ap_severity *worst = NULL;
    if (items == NULL)
        return ap_error_nomem(err);
    if ((worst = malloc(((size_t)ap_graph_node_count(g) + 1) * sizeof *worst)) == NULL) {
        free(items);
        return ap_error_nomem(err);
    }
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        worst[v] = AP_SEV_NONE;
    out->waived = 0;
    for (size_t i = 0; i < out->n; i++) {
        ap_finding *f = &out->items[i];
        const char *subject = ap_finding_subject_id(g, f);
        bool about = opts->partner < 0;
        for (size_t k = 0; !about && k < f->npartners; k++)
            about = f->partners[k] == (uint32_t)opts->partner;
        bool keep = about && f->severity >= opts->min_severity;
        if (!keep) {
            finding_dispose(f);
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
        items[n].f = *f;
        items[n].partner = ap_graph_node(g, f->partner)->id;
        items[n++].subject = subject;
    }
    for (size_t i = 0; i < n; i++)
        items[i].worst = worst[items[i].f.partner];
    qsort(items, n, sizeof *items, finding_cmp);
    for (size_t i = 0; i < n; i++)
        out->items[i] = items[i].f;
    out->n = n;
    free(items);
    free(worst);
    return AP_OK;
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
                   const struct ap_usage *usage, const bool *only, size_t batch,
                   ap_error *err);

int ap_findings_compute_observed(ap_findings **out, const ap_graph *g,
                                 const ap_findings_opts *opts, const struct ap_usage *usage,
                                 ap_error *err)
{
    return compute(out, g, opts, usage, NULL, BATCH_BYTES, err);
}

int ap_findings__compute_some(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                              const bool *partners, ap_error *err)
{
    return compute(out, g, opts, NULL, partners, BATCH_BYTES, err);
}

int ap_findings__compute_batched(ap_findings **out, const ap_graph *g,
                                 const ap_findings_opts *opts, size_t batch_bytes,
                                 ap_error *err)
{
    return compute(out, g, opts, NULL, NULL, batch_bytes, err);
}

/* Run every selected rule on the batch partners[lo..hi) (or the last call). */
static int run_rules(ap_rule_ctx *c, const ap_findings_opts *opts)
{
    for (size_t i = 0; i < ap_rule_count(); i++) {
        const ap_rule *r = ap_rule_at(i);
        int rc;
        if (!selected(opts, r))
            continue;
        c->rule = r;
        c->visit->a = NULL;             /* walk_new forgets the rule before */
        rc = r->check(c, r);
        if (rc == AP_OK && c->rc < 0)
            rc = c->rc;
        if (rc < 0)
            return rc;
    }
    return AP_OK;
}

/* Remove the findings ap_findings__drop forgot. */
static void compact(ap_findings *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->items[i].rule != NULL)
            out->items[n++] = out->items[i];
    out->n = n;
}

static int compute(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                   const struct ap_usage *usage, const bool *only, size_t batch,
                   ap_error *err)
{
    static const ap_findings_opts all = { NULL, NULL, 0, -1, AP_SEV_NONE };
    ap_policy defaults;
    ap_rule_ctx c;
    uint32_t n = ap_graph_node_count(g), nws = 0;
    ap_authority_ws **ws = NULL;        /* a batch's workspaces: ws[k] its k-th partner's */
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
    c.batch = batch;
    c.partners = malloc(((size_t)n + 1) * sizeof *c.partners);
    c.auth = calloc((size_t)n + 1, sizeof *c.auth);
    ws = calloc((size_t)n + 1, sizeof *ws);
    c.out = calloc(1, sizeof *c.out);
    c.memo = calloc(1, sizeof *c.memo);
    c.visit = calloc(1, sizeof *c.visit);
    c.states = calloc(ap_rule_count(), sizeof *c.states);
    c.exists = calloc(ap_rule_count(), 1);
    if (c.out != NULL)
        c.out->severity = calloc(ap_rule_count(), sizeof *c.out->severity);
    if (c.partners == NULL || c.auth == NULL || ws == NULL || c.out == NULL
        || c.out->severity == NULL || c.memo == NULL || c.visit == NULL || c.states == NULL
        || c.exists == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < ap_rule_count(); i++)
        c.out->severity[i] = severity_of(c.policy, ap_rule_at(i));
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER && (only == NULL || only[v]))
            c.partners[c.npartners++] = v;
    /* Partners in batches of about `batch` bytes of authority (at least one partner each), in
     * id order: the rules see each partner once. The k-th partner of a batch runs in workspace
     * k, kept from batch to batch: a partner costs its reach, not the graph's node count. */
    while (c.hi < c.npartners) {
        size_t bytes = 0;
        c.lo = c.hi;
        while (c.hi < c.npartners && (c.hi == c.lo || bytes < batch)) {
            uint32_t k = c.hi - c.lo;
            if (k == nws && (rc = ap_query__authority_ws_new(&ws[nws++], g, err)) < 0)
                goto cleanup;
            if ((rc = ap_query__authority_run(&c.auth[c.hi], ws[k], g, c.partners[c.hi],
                                              err)) < 0)
                goto cleanup;
            bytes += authority_bytes(c.auth[c.hi++]);
        }
        if ((rc = run_rules(&c, opts)) < 0)
            goto cleanup;
        for (uint32_t i = c.lo; i < c.hi; i++)
            c.auth[i] = NULL;
        c.memo->a = NULL;               /* its authority may be freed, its address reused */
        c.visit->a = NULL;
    }
    c.lo = c.hi = c.npartners;
    c.last = true;
    if ((rc = run_rules(&c, opts)) < 0)
        goto cleanup;
    compact(c.out);
    for (size_t i = 0; i < c.out->n; i++)
        if (c.out->items[i].message == NULL) {
            rc = ap_error_set(err, AP_EBUG, "rule '%s' raised a finding without a message",
                              c.out->items[i].rule->id);
            goto cleanup;
        }
    if ((rc = finish(c.out, g, opts, c.policy, err)) < 0)
        goto cleanup;
    *out = c.out;
    c.out = NULL;
cleanup:
    for (uint32_t k = 0; k < nws; k++)
        ap_query__authority_ws_free(ws[k]);
    free(ws);
    for (uint32_t k = 0; k < c.nws; k++)
        ap_query__authority_ws_free(c.cached_ws[k]);
    free(c.cached_ws);
    free(c.cached_auth);
    ap_query__authority_ws_free(c.until_ws);
    free(c.slot);
    free(c.cached);
    for (size_t i = 0; c.states != NULL && i < ap_rule_count(); i++) {
        if (c.states[i].p != NULL && c.states[i].dispose != NULL)
            c.states[i].dispose(c.states[i].p);
        else
            free(c.states[i].p);
    }
    free(c.states);
    free(c.exists);
    for (size_t i = 0; i < AP_FINDINGS_FLAGS; i++)
        free(c.flags[i].at);
    for (int k = 0; k < 2; k++) {
        ap_walk_memo *m = k == 0 ? c.memo : c.visit;
        if (m != NULL) {
            free(m->stamp);
            free(m->value);
            free(m->stack);
            free(m);
        }
    }
    free(c.auth);
    free(c.partners);
    ap_findings_free(c.out);
    return rc;
}
