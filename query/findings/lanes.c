/* query/findings/lanes.c: the rules that read the all-partners kernel: every batch of partners'
 * words at the nodes each rule watches, then one single-source run per partner a chain shows. */
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* The lanes rules, by catalogue id. */
static const ap_lanes_rule *const lanes_rules[] = {
    &ap_lanes__credential_no_expiry,
    &ap_lanes__credential_long_lived,
    &ap_lanes__credential_outlives_contract,
    &ap_lanes__read_only_exceeded,
    &ap_lanes__undeclared_rights,
    &ap_lanes__sensitive_workflow,
    &ap_lanes__escalation,
    &ap_lanes__temporary_no_expiry,
    &ap_lanes__k8s_cluster_admin,
    &ap_lanes__k8s_secrets_wildcard,
    &ap_lanes__k8s_impersonation,
    &ap_lanes__k8s_partner_cluster_wide,
    &ap_lanes__trust_anyone,
    &ap_lanes__confused_deputy,
    &ap_lanes__gdap_global_admin,
    &ap_lanes__app_global_admin,
    &ap_lanes__gdap_stale,
    &ap_lanes__admin_consent,
    &ap_lanes__unverified_app,
    &ap_lanes__federated_wildcard,
    &ap_lanes__usage_not_granted,
    &ap_lanes__granted_never_used,
    &ap_lanes__attempted_not_granted,
    &ap_lanes__delegation_loop,
    &ap_lanes__fourth_party,
    &ap_lanes__inherits_partner,
    &ap_lanes__review_overdue,
    &ap_lanes__beyond_scope,
    &ap_lanes__scope_undeclared,
    &ap_lanes__owner_missing,
    &ap_lanes__partner_undocumented,
    &ap_lanes__credential_shared,
    &ap_lanes__credential_multi_tenant,
    &ap_lanes__partner_ended_live,
    &ap_lanes__partner_can_mint,
    &ap_lanes__dormant_access,
    &ap_lanes__static_secret,
    &ap_lanes__credential_rotation_overdue,
    &ap_lanes__environment_crossing,
    &ap_lanes__unattributable_write,
};

const ap_lanes_rule *ap_findings__lanes_rule(const ap_rule *r)
{
    for (size_t i = 0; i < sizeof lanes_rules / sizeof lanes_rules[0]; i++)
        if (strcmp(lanes_rules[i]->id, r->id) == 0)
            return lanes_rules[i];
    return NULL;
}

/* ---- A batch's words at each watched node ---- */

typedef struct {
    ap_rule_ctx *c;
    const ap_lanes_rule **rules;    /* by bit of watch[] */
    const ap_rule **of;             /* ... and their catalogue rows */
    unsigned nrules;
    uint64_t *watch;                /* per node: the rules that look at it */
    uint64_t *wants_direct;         /* a bit per node: some rule asks who holds it directly */
    uint32_t *dslot;                /* per node: 1 + its direct words' place in this batch */
    uint64_t *dwords;               /* L words a place */
    uint32_t *dlist, ndirect;       /* the nodes with a place, to clear */
    unsigned L;
} feed;

static void keep_direct(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                        uint64_t cls)
{
    feed *fd = ctx;
    (void)cls;
    if (!(fd->wants_direct[v >> 6] >> (v & 63) & 1))
        return;
    uint32_t k = fd->ndirect++;
    fd->dlist[k] = v;
    fd->dslot[v] = k + 1;
    memcpy(fd->dwords + (size_t)k * b->L, w + (size_t)b->K * b->L, b->L * sizeof *w);
}

static void visit_node(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                       uint64_t cls)
{
    feed *fd = ctx;
    ap_rule_ctx *c = fd->c;
    uint64_t m = fd->watch[v];
    if (m == 0 || c->rc < 0)
        return;
    ap_lanes_at x = { b, v, w, cls,
                      fd->dslot[v] != 0 ? fd->dwords + (size_t)(fd->dslot[v] - 1) * b->L : NULL };
    static const uint64_t none[AP_KERNEL_LMAX];
    for (; m != 0 && c->rc == AP_OK; m &= m - 1) {
        unsigned r = (unsigned)__builtin_ctzll(m);
        c->rule = fd->of[r];
        /* a rule that asks for direct holders gets zero words where nobody holds v so */
        ap_lanes_at y = x;
        if (fd->rules[r]->direct && y.direct == NULL)
            y.direct = none;
        fd->rules[r]->node(c, &y);
    }
}

static void feed_free(feed *fd)
{
    free(fd->rules);
    free(fd->of);
    free(fd->watch);
    free(fd->wants_direct);
    free(fd->dslot);
    free(fd->dwords);
    free(fd->dlist);
}

/* Which selected lanes rules watch each node; false when out of memory. */
static bool feed_init(feed *fd, ap_rule_ctx *c, const bool *use)
{
    uint32_t n = ap_graph_node_count(c->g);
    memset(fd, 0, sizeof *fd);
    fd->c = c;
    fd->rules = calloc(64, sizeof *fd->rules);
    fd->of = calloc(64, sizeof *fd->of);
    fd->watch = calloc((size_t)n + 1, sizeof *fd->watch);
    fd->wants_direct = calloc((size_t)n / 64 + 1, sizeof *fd->wants_direct);
    fd->dslot = calloc((size_t)n + 1, sizeof *fd->dslot);
    fd->dlist = malloc(((size_t)n + 1) * sizeof *fd->dlist);
    if (fd->rules == NULL || fd->of == NULL || fd->watch == NULL || fd->wants_direct == NULL
        || fd->dslot == NULL || fd->dlist == NULL)
        return false;
    for (size_t i = 0; i < ap_rule_count() && fd->nrules < 64; i++)
        if (use[i]) {
            fd->of[fd->nrules] = ap_rule_at(i);
            fd->rules[fd->nrules++] = ap_findings__lanes_rule(ap_rule_at(i));
        }
    for (uint32_t v = 0; v < n; v++)
        for (unsigned r = 0; r < fd->nrules; r++) {
            c->rule = fd->of[r];
            if (!fd->rules[r]->watch(c, v))
                continue;
            fd->watch[v] |= (uint64_t)1 << r;
            if (fd->rules[r]->direct)
                fd->wants_direct[v >> 6] |= (uint64_t)1 << (v & 63);
        }
    return true;
}

static int run_batches(ap_rule_ctx *c, feed *fd)
{
    ap_kernel *k = NULL;
    ap_kernel_lanes *lr = NULL;
    int rc;
    bool direct = false;
    for (unsigned r = 0; r < fd->nrules; r++)
        direct |= fd->rules[r]->direct;
    if ((rc = ap_kernel__prepare(&k, c->g, c->err)) < 0)
        return rc;
    if ((rc = ap_kernel__lanes_new(&lr, k, c->partners, c->npartners, 0, c->err)) < 0)
        goto done;
    fd->L = ap_kernel__lanes_l(lr);
    if (direct && (fd->dwords = malloc(((size_t)ap_graph_node_count(c->g) + 1) * fd->L
                                       * sizeof *fd->dwords)) == NULL) {
        rc = ap_error_nomem(c->err);
        goto done;
    }
    for (uint32_t b = 0; b < ap_kernel__lanes_batches(lr) && rc == AP_OK; b++) {
        if (direct)
            rc = ap_kernel__lanes_run(lr, b, true, keep_direct, fd, c->err);
        if (rc == AP_OK)
            rc = ap_kernel__lanes_run(lr, b, false, visit_node, fd, c->err);
        if (rc == AP_OK && c->rc < 0)
            rc = c->rc;
        for (unsigned r = 0; r < fd->nrules && rc == AP_OK; r++)
            if (fd->rules[r]->batch_end != NULL) {
                c->rule = fd->of[r];
                fd->rules[r]->batch_end(c, ap_kernel__lanes_batch(lr));
                rc = c->rc;
            }
        for (uint32_t i = 0; i < fd->ndirect; i++)
            fd->dslot[fd->dlist[i]] = 0;
        fd->ndirect = 0;
        if (rc == AP_OK)
            rc = ap_findings__freeze(c);
    }
done:
    ap_kernel__lanes_free(lr);
    ap_kernel__free(k);
    return rc;
}

int ap_findings__run_lanes(ap_rule_ctx *c, const bool *use)
{
    feed fd;
    int rc = AP_OK;
    if (!feed_init(&fd, c, use)) {
        feed_free(&fd);
        return ap_error_nomem(c->err);
    }
    bool watched = false;       /* rules about partners alone need no kernel run */
    for (uint32_t v = 0; fd.nrules > 0 && v < ap_graph_node_count(c->g) && !watched; v++)
        watched = fd.watch[v] != 0;
    if (watched && c->npartners > 0)
        rc = run_batches(c, &fd);
    for (unsigned r = 0; r < fd.nrules && rc == AP_OK; r++) {
        c->rule = fd.of[r];
        c->last = true;
        if (fd.rules[r]->finish != NULL && (rc = fd.rules[r]->finish(c)) == AP_OK)
            rc = c->rc;
        if (rc == AP_OK)
            rc = ap_findings__freeze(c);
    }
    c->last = false;
    feed_free(&fd);
    return rc;
}

/* ---- Lanes ---- */

ap_rights ap_findings__lane_rights(const ap_lanes_at *x, unsigned lane)
{
    unsigned j = lane / 64, b = lane % 64, L = x->b->L;
    ap_rights r = 0;
    for (uint64_t m = x->cls; m != 0; m &= m - 1) {
        unsigned c = (unsigned)__builtin_ctzll(m);
        if (x->w[c * L + j] >> b & 1)
            r |= x->b->cmask[c];
    }
    return r;
}

void ap_findings__lanes_with(const ap_lanes_at *x, ap_rights want, uint64_t *out)
{
    unsigned L = x->b->L;
    for (unsigned j = 0; j < L; j++)
        out[j] = 0;
    for (uint64_t m = x->cls; m != 0; m &= m - 1) {
        unsigned c = (unsigned)__builtin_ctzll(m);
        if ((x->b->cmask[c] & want) == 0)
            continue;
        for (unsigned j = 0; j < L; j++)
            out[j] |= x->w[c * L + j];
    }
}

int64_t ap_findings__first_lane(const ap_kernel_batch *b, const uint64_t *lanes)
{
    for (unsigned j = 0; j < b->L; j++)
        if (lanes[j] != 0)
            return (int64_t)j * 64 + __builtin_ctzll(lanes[j]);
    return -1;
}

void ap_findings__partner_lanes(ap_rule_ctx *c, size_t i, const ap_kernel_batch *b,
                                const uint64_t *lanes)
{
    /* the rules' partners are the graph's (no --partner): a lane's index is its place among
     * them, not looked up (a search per partner added: an eighth of scyclic-100's findings) */
    bool same = c->npartners == c->out->nall;
    for (unsigned j = 0; j < b->L && c->rc == AP_OK; j++) {
        /* a batch starts at a word: its word j is the partners' word base / 64 + j */
        if (same && lanes[j] != 0 && b->base % 64 == 0
            && ap_findings__partner_word(c, i, b->base / 64 + j, lanes[j]))
            continue;
        for (uint64_t m = lanes[j]; m != 0; m &= m - 1) {
            uint32_t k = b->base + j * 64 + (unsigned)__builtin_ctzll(m);
            if (same)
                ap_findings__place_hint(c->out, c->partners[k], k);
            ap_findings__partner_at(c, i, c->partners[k]);
        }
    }
}

ap_finding *ap_findings__subject_lanes(ap_rule_ctx *c, const ap_kernel_batch *b,
                                       const uint64_t *lanes, bool edge, uint32_t subject)
{
    int64_t first = ap_findings__first_lane(b, lanes);
    if (first < 0)
        return NULL;
    size_t before = c->out->n;
    ap_finding *f = ap_findings__subject(c, c->partners[b->base + (uint32_t)first], edge,
                                         subject);
    size_t i = f != NULL ? (size_t)(f - c->out->items) : SIZE_MAX;
    if (f == NULL && c->out->n == before && c->rc == AP_OK) {
        /* the subject's finding is older: every lane joins it (the first did already) */
        i = ap_findings__subject_index(c, edge, subject);
    }
    if (i != SIZE_MAX)
        ap_findings__partner_lanes(c, i, b, lanes);
    return f != NULL ? &c->out->items[i] : NULL;
}

/* The partner index of node v's domain when it is a partner ("operated by
 * it"), or -1; remembered per node. */
static int64_t domain_partner(ap_rule_ctx *c, uint32_t v)
{
    if (c->dom_owner == NULL
        && (c->dom_owner = calloc((size_t)ap_graph_node_count(c->g) + 1,
                                  sizeof *c->dom_owner)) == NULL) {
        c->rc = ap_error_nomem(c->err);
        return -1;
    }
    if (c->dom_owner[v] == 0) {
        /* ap_node_domain's reading, let go: asked once of every identity and credential */
        char buf[512];
        const char *d_attr = ap_findings__attr_str(c, ap_graph_node(c->g, v)->attrs, "domain",
                                                   buf, sizeof buf);
        if (d_attr != NULL && strlen(d_attr) + 1 == sizeof buf)
            d_attr = ap_node_domain(c->g, v);   /* cut at the buffer: the whole, kept parsed */
        const char *domain = d_attr != NULL && d_attr[0] != '\0' ? d_attr
                             : ap_findings__kind(c, v) == AP_KIND_PARTNER
                                 ? ap_graph_node(c->g, v)->id : "home";
        int64_t d = ap_graph_find(c->g, domain);
        int64_t i = d >= 0 ? ap_findings__partner_index(c, (uint32_t)d) : -1;
        c->dom_owner[v] = i >= 0 ? (uint32_t)i + 2 : 1;
    }
    return (int64_t)c->dom_owner[v] - 2;
}

void ap_findings__owner_lanes(ap_rule_ctx *c, const ap_lanes_at *x, uint64_t *out)
{
    const ap_kernel_batch *b = x->b;
    const ap_graph *g = c->g;
    uint32_t v = x->v, lo = b->base, hi = b->base + b->nb;
    for (unsigned j = 0; j < b->L; j++)
        out[j] = 0;
    /* one step from the partner: no other partner on the way */
    for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
        const ap_edge *ed = ap_graph_edge(g, ap_graph_in_edge(g, i));
        if (ap_findings__kind(c, ed->from) != AP_KIND_PARTNER)
            continue;
        int64_t pi = ap_findings__partner_index(c, ed->from);
        if (pi < lo || pi >= hi || !ap_edge_usable(g, ed, ed->from)
            || ap_edge_transfer(ed, AP_RIGHTS_ALL) == 0)
            continue;
        out[(pi - lo) / 64] |= (uint64_t)1 << ((pi - lo) % 64);
    }
    /* operated by the partner, and held directly */
    int64_t d = domain_partner(c, v);
    if (d >= lo && d < hi && x->direct != NULL)
        out[(d - lo) / 64] |= x->direct[(d - lo) / 64] & (uint64_t)1 << ((d - lo) % 64);
}

ap_finding *ap_findings__owned(ap_rule_ctx *c, const ap_lanes_at *x)
{
    uint64_t own[AP_KERNEL_LMAX];
    ap_findings__owner_lanes(c, x, own);
    return ap_findings__subject_lanes(c, x->b, own, false, x->v);
}

void ap_findings__edge_lanes(const ap_rule_ctx *c, const ap_lanes_at *x, uint32_t e,
                             uint64_t *out)
{
    const ap_kernel_batch *b = x->b;
    const ap_edge *ed = ap_graph_edge(c->g, e);
    uint64_t pass[AP_KERNEL_LMAX];
    unsigned L = b->L;
    if (!ed->traversable || (ed->escalates && ed->rights == 0)) {
        for (unsigned j = 0; j < L; j++)
            out[j] = 0;
        return;
    }
    /* the gate: some right it requires; the mask: some right it passes (unless it escalates) */
    if (ed->requires != 0)
        ap_findings__lanes_with(x, ed->requires, out);
    else
        for (unsigned j = 0; j < L; j++)
            out[j] = x->w[b->K * L + j];
    if (!ed->escalates) {
        ap_findings__lanes_with(x, ed->rights, pass);
        for (unsigned j = 0; j < L; j++)
            out[j] &= pass[j];
    }
    if (ed->live)
        return;
    /* not live for everyone: the source's own liveness does not count (ap_edge_usable) */
    bool others = ed->own_live && ap_graph_node_live(c->g, ed->from)
                  && ap_graph_node_live(c->g, ed->to);
    for (unsigned j = 0; j < L; j++)
        for (uint64_t m = others ? 0 : out[j]; m != 0; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            if (!ap_edge_usable(c->g, ed, ap_findings__lane_partner(c, b, lane)))
                out[j] &= ~((uint64_t)1 << (lane % 64));
        }
}

/* ---- Counts per lane, bit-sliced ---- */

void ap_findings__count_lanes(uint64_t *planes, unsigned L, const uint64_t *lanes)
{
    /* a ripple-carry add of one to every lane at once: a carry goes up a plane only where the
     * lane's count was odd there, so an add costs two plane words on average */
    for (unsigned j = 0; j < L; j++) {
        uint64_t carry = lanes[j];
        for (unsigned k = 0; carry != 0 && k < AP_LANE_COUNT_BITS; k++) {
            uint64_t *w = &planes[(size_t)k * L + j];
            uint64_t up = *w & carry;
            *w ^= carry;
            carry = up;
        }
    }
}

uint32_t ap_findings__lane_count(const uint64_t *planes, unsigned L, unsigned lane)
{
    uint32_t n = 0;
    for (unsigned k = 0; k < AP_LANE_COUNT_BITS; k++)
        n |= (uint32_t)(planes[(size_t)k * L + lane / 64] >> (lane % 64) & 1) << k;
    return n;
}
