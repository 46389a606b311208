/* query/findings/chains.c: the chains the lanes rules show, made last: one single-source run per
 * partner and mode (plain, blocked) that shows one, stopped once it reached every node asked. */
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

struct ap_chain_req {
    size_t finding;
    uint32_t partner, target, edge;
    uint32_t arg;               /* pick's argument */
    uint32_t nset;
    uint32_t found;             /* what pick found: the least id of the first round, or NONE */
    ap_rights want;             /* the target must hold one of these for the chain asked */
    ap_chain_pick pick;         /* target AP_UNREACHED: the first node it picks, or, NULL, the
                                 * whole run */
    const uint32_t *set;        /* NULL, or pick only these nodes (nset, sorted) */
    ap_chain_got *got;          /* NULL, or every pick up to the round of the arg-th */
    union {                     /* one pointer: a million requests at S=100 */
        ap_chain_say say;
        ap_chain_then then;     /* has_then: the path is added, then then(c, f) */
    } on;
    bool blocked;
    bool either;                /* blocked, else (its blocked run does not carry want) plain */
    bool has_then;
};

static void request(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v, uint32_t e,
                    bool blocked, ap_chain_pick pick, uint32_t arg, ap_chain_say say)
{
    if (f == NULL || c->rc < 0)
        return;
    if (c->nreqs == c->reqcap) {
        size_t cap = c->reqcap ? c->reqcap * 2 : 256;
        struct ap_chain_req *r = realloc(c->reqs, cap * sizeof *r);
        if (r == NULL) {
            c->rc = ap_error_nomem(c->err);
            return;
        }
        c->reqs = r;
        c->reqcap = cap;
    }
    /* a chain with an edge after it must carry what the edge passes (ap_findings__path) */
    const ap_edge *ed = e != AP_UNREACHED ? ap_graph_edge(c->g, e) : NULL;
    ap_rights want = ed != NULL && !ed->escalates ? ed->rights : AP_RIGHTS_ALL;
    c->reqs[c->nreqs++] = (struct ap_chain_req){ .finding = (size_t)(f - c->out->items),
                                                 .partner = p, .target = v, .edge = e,
                                                 .arg = arg, .found = AP_UNREACHED,
                                                 .want = want, .pick = pick, .on.say = say,
                                                 .blocked = blocked };
}

void ap_findings__chain_then(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                             uint32_t e, bool blocked, ap_chain_then then)
{
    request(c, f, p, v, e, blocked, NULL, 0, NULL);
    if (c->rc == AP_OK && f != NULL) {
        c->reqs[c->nreqs - 1].on.then = then;
        c->reqs[c->nreqs - 1].has_then = true;
    }
}

void ap_findings__chain_later(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                              uint32_t e, bool blocked, ap_chain_say say)
{
    request(c, f, p, v, e, blocked, NULL, 0, say);
}

void ap_findings__chain_later_direct(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                                     uint32_t e, ap_chain_say say)
{
    request(c, f, p, v, e, true, NULL, 0, say);
    if (c->rc == AP_OK && f != NULL)
        c->reqs[c->nreqs - 1].either = true;
}

void ap_findings__chain_later_want(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                                   bool blocked, ap_rights want, ap_chain_say say)
{
    request(c, f, p, v, AP_UNREACHED, blocked, NULL, 0, say);
    if (c->rc == AP_OK && f != NULL)
        c->reqs[c->nreqs - 1].want = want;
}

void ap_findings__chain_first(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                              ap_chain_pick pick, uint32_t arg, ap_chain_say say)
{
    request(c, f, p, AP_UNREACHED, AP_UNREACHED, blocked, pick, arg, say);
}

void ap_findings__chain_first_of(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                                 ap_chain_pick pick, uint32_t arg, const uint32_t *set,
                                 uint32_t nset, ap_chain_say say)
{
    request(c, f, p, AP_UNREACHED, AP_UNREACHED, blocked, pick, arg, say);
    if (c->rc == AP_OK && f != NULL) {
        c->reqs[c->nreqs - 1].set = set;
        c->reqs[c->nreqs - 1].nset = nset;
    }
}

bool ap_findings__pick_level(const ap_rule_ctx *c, uint32_t v, uint32_t arg)
{
    return (int)ap_findings__sens(c, v) + 1 == (int)arg;
}

static bool pick_any(const ap_rule_ctx *c, uint32_t v, uint32_t arg)
{
    (void)c;
    (void)v;
    (void)arg;
    return true;
}

void ap_findings__chain_first_n(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                                const uint32_t *set, uint32_t nset, uint32_t m,
                                ap_chain_got *got, ap_chain_say say)
{
    ap_findings__chain_first_of(c, f, p, blocked, pick_any, m, set, nset, say);
    if (c->rc == AP_OK && f != NULL)
        c->reqs[c->nreqs - 1].got = got;
}

/* Does request r pick node v: its pick says so, and v is in its set if it has one? acc: NULL,
 * or a bit per node its pick accepts (an open pick's, made by bearing()), read instead of the
 * node. The set is asked first: a few cached words, where the pick reads the node's byte. */
static bool picks(const ap_rule_ctx *c, const struct ap_chain_req *r, const uint64_t *acc,
                  uint32_t v)
{
    if (acc != NULL)
        return acc[v >> 6] >> (v & 63) & 1;
    if (r->set != NULL && bsearch(&v, r->set, r->nset, sizeof v, ap_query__u32_cmp) == NULL)
        return false;
    return r->pick(c, v, r->arg);
}

static int req_cmp(const void *x, const void *y)
{
    const struct ap_chain_req *a = x, *b = y;
    if (a->blocked != b->blocked)
        return a->blocked ? 1 : -1;
    if (a->partner != b->partner)
        return a->partner < b->partner ? -1 : 1;
    return a->finding < b->finding ? -1 : a->finding > b->finding;
}

/* The targets one run must reach: a bit per node, and how many are left; the requests that
 * pick a node, and whether one wants the whole run. */
typedef struct {
    ap_rule_ctx *c;
    uint64_t *mark;             /* a bit per node: a target of this run not reached yet (a run
                                 * asks of every node it reaches: these few words stay cached) */
    ap_rights *need;            /* per target: the rights it must hold when first reached (0:
                                 * more than one want: it never counts, the run goes on) */
    size_t left;
    struct ap_chain_req **picks;    /* the group's requests that pick a node */
    const uint64_t **acc;           /* ... and the nodes each accepts, when an open pick's */
    const uint64_t *picked;         /* a bit per node the group's picks may accept (NULL:
                                     * unknown): no other node is asked of the picks */
    size_t npicks, unfound, cap;
    bool whole;
} targets;

/* Asked of each node first reached in the round just over (a->rounds): its hops, that round. */
static bool all_reached(void *ctx, const ap_authority *a, uint32_t v)
{
    targets *t = ctx;
    uint32_t hops = a->rounds;          /* a->hops[v], not read: a miss a node */
    /* a target counts when first reached holding what its chain must carry; one whose rights
     * come later (a lower bound here) keeps the run going to its end */
    if ((t->mark[v >> 6] >> (v & 63) & 1)
        && (t->need[v] == AP_RIGHTS_ALL || (a->rights[v] & t->need[v]))) {
        t->mark[v >> 6] &= ~((uint64_t)1 << (v & 63));
        t->left--;
    }
    /* a node none of the group's picks accepts is asked of none (most of a run's reach) */
    bool ask = t->picked == NULL || (t->picked[v >> 6] >> (v & 63) & 1), said = false;
    const struct ap_chain_req *prev = NULL;     /* the last one asked, and what it said */
    for (size_t k = 0; ask && k < t->npicks; k++) {
        struct ap_chain_req *r = t->picks[k];
        /* one found in an earlier round stays: reach order is hops first */
        if (r->found != AP_UNREACHED && a->hops[r->found] < hops)
            continue;
        /* the same pick of the same set as the one before says the same (a rule asks it once
         * a finding) */
        if (prev == NULL || prev->pick != r->pick || prev->arg != r->arg || prev->set != r->set)
            said = picks(t->c, r, t->acc[k], v);
        prev = r;
        if (!said)
            continue;
        if (r->got != NULL) {       /* the round of the arg-th is kept whole */
            if (ap_query__push(&r->got->v, &r->got->n, sizeof v, &v) < 0) {
                t->c->rc = ap_error_nomem(t->c->err);
                t->whole = false;
                t->left = t->unfound = 0;
                return true;
            }
            if (r->found == AP_UNREACHED && r->got->n >= r->arg) {
                t->unfound--;
                r->found = v;
            }
            continue;
        }
        if (r->found == AP_UNREACHED) {
            t->unfound--;
            r->found = v;
        } else if (hops == a->hops[r->found] && v < r->found) {
            r->found = v;           /* the same round: reach order is id order within it */
        }
    }
    return t->left == 0 && t->unfound == 0 && !t->whole;
}

/* A pick without a set, and what can bear on the nodes it accepts (ap_graph_ancestors). */
typedef struct {
    ap_chain_pick pick;
    uint32_t arg;
    uint64_t *up;
    uint64_t *acc;              /* a bit per node it accepts */
} open_pick;

/* One mode's bearing: what can bear on where its requests (those of reqs[0..n) in it) may end.
 * targets: on their targets and the members of their sets their picks accept (NULL: none);
 * each distinct pick without a set, on every node it accepts (each asked of every node once);
 * all, the union (NULL when none may end anywhere; a request of the whole run has none).
 * Each is closed under in-neighbours (in the blocked mode every partner is closed: one sends
 * nothing in a run not its own, and a run's source holds everything from the start), and so is
 * any union of them: a run that delivers only to one reaches its nodes as the whole run does. */
typedef struct {
    uint64_t *targets, *all;
    open_pick *open;
    uint32_t nopen;
} bearing_of;

static void bearing_free(bearing_of *b)
{
    for (uint32_t k = 0; k < b->nopen; k++) {
        free(b->open[k].up);
        free(b->open[k].acc);
    }
    free(b->open);
    free(b->targets);
    free(b->all);
    *b = (bearing_of){ NULL, NULL, NULL, 0 };
}

/* The open pick of r (a pick without a set) in b, or NULL. */
static const open_pick *open_of(const bearing_of *b, const struct ap_chain_req *r)
{
    for (uint32_t k = 0; r->pick != NULL && r->set == NULL && k < b->nopen; k++)
        if (b->open[k].pick == r->pick && b->open[k].arg == r->arg)
            return &b->open[k];
    return NULL;
}

static int bearing(ap_rule_ctx *c, const struct ap_chain_req *reqs, size_t n, bool blocked,
                   bearing_of *b)
{
    uint32_t *aims = NULL, naims = 0, nn = ap_graph_node_count(c->g), any = 0;
    size_t words = (size_t)nn / 64 + 1;
    uint64_t *closed = NULL;
    int rc = AP_OK;
    *b = (bearing_of){ NULL, NULL, NULL, 0 };
    for (size_t k = 0; k < n && rc == AP_OK; k++) {
        const struct ap_chain_req *r = &reqs[k];
        if (r->blocked != blocked)
            continue;
        if (r->target != AP_UNREACHED) {
            rc = ap_query__push(&aims, &naims, sizeof *aims, &r->target);
        } else if (r->pick != NULL && r->set != NULL) {
            for (uint32_t i = 0; i < r->nset && rc == AP_OK; i++)
                if (r->pick(c, r->set[i], r->arg))
                    rc = ap_query__push(&aims, &naims, sizeof *aims, &r->set[i]);
        } else if (r->pick != NULL && open_of(b, r) == NULL) {
            open_pick o = { r->pick, r->arg, NULL, NULL };
            rc = ap_query__push(&b->open, &b->nopen, sizeof o, &o);
        }
    }
    if (rc == AP_OK && blocked && (naims > 0 || b->nopen > 0)
        && (closed = ap_query__partner_bits(c->g)) == NULL)
        rc = AP_ENOMEM;
    if (rc == AP_OK && naims > 0 && ap_graph_ancestors(&b->targets, c->g, aims, naims, closed) < 0)
        rc = AP_ENOMEM;
    any = naims;
    for (uint32_t k = 0; k < b->nopen && rc == AP_OK; k++) {
        naims = 0;
        if ((b->open[k].acc = calloc(words, sizeof *b->open[k].acc)) == NULL)
            rc = AP_ENOMEM;
        for (uint32_t v = 0; v < nn && rc == AP_OK; v++)
            if (b->open[k].pick(c, v, b->open[k].arg)) {
                b->open[k].acc[v >> 6] |= (uint64_t)1 << (v & 63);
                rc = ap_query__push(&aims, &naims, sizeof *aims, &v);
            }
        any += naims;
        if (rc == AP_OK && naims > 0
            && ap_graph_ancestors(&b->open[k].up, c->g, aims, naims, closed) < 0)
            rc = AP_ENOMEM;
    }
    if (rc == AP_OK && any > 0 && (b->all = calloc(words, sizeof *b->all)) == NULL)
        rc = AP_ENOMEM;
    for (size_t w = 0; rc == AP_OK && any > 0 && w < words; w++) {
        b->all[w] = b->targets != NULL ? b->targets[w] : 0;
        for (uint32_t k = 0; k < b->nopen; k++)
            b->all[w] |= b->open[k].up != NULL ? b->open[k].up[w] : 0;
    }
    free(aims);
    free(closed);
    if (rc < 0) {
        bearing_free(b);
        return ap_error_nomem(c->err);
    }
    return AP_OK;
}

/* The bearing of one group's run with picks without a set: its mode's targets' and its own
 * picks' (not every pick of the mode: a level's ancestors leave out the other levels' leaves),
 * into only; false when the mode's whole bearing is as narrow (no pick without a set). */
static bool group_bearing(const bearing_of *b, const struct ap_chain_req *reqs, size_t n,
                          uint64_t *only, size_t words)
{
    const open_pick *mine[16];
    unsigned nmine = 0;
    for (size_t k = 0; k < n; k++) {
        const open_pick *o = open_of(b, &reqs[k]);
        bool known = o == NULL;
        for (unsigned i = 0; i < nmine && !known; i++)
            known = mine[i] == o;
        if (known)
            continue;
        if (nmine == sizeof mine / sizeof mine[0])
            return false;               /* many: the mode's whole bearing */
        mine[nmine++] = o;
    }
    if (nmine == 0 || nmine == b->nopen)
        return false;
    for (size_t w = 0; w < words; w++) {
        uint64_t x = b->targets != NULL ? b->targets[w] : 0;
        for (unsigned i = 0; i < nmine; i++)
            x |= mine[i]->up != NULL ? mine[i]->up[w] : 0;
        only[w] = x;
    }
    return true;
}

/* Which open picks the nodes in a group's picked bitmap are those of: of which mode, and a
 * bit per open pick of its bearing. */
typedef struct {
    int mode;
    uint64_t combo;
} picked_made;

/* The nodes the picks of a group (reqs[0..n), of mode md) may accept, into mine: every node
 * its open picks accept (their acc; kept when *made says mine holds them already), and
 * returned, the bit of each of those picks in b->open; UINT64_MAX when that cannot be said
 * (more than 64 open picks: every node is asked). set_bits adds the sets' members. */
static uint64_t group_picked(const bearing_of *b, const struct ap_chain_req *reqs, size_t n,
                             uint64_t *mine, size_t words, int md, picked_made *made)
{
    uint64_t combo = 0;
    if (b->nopen > 64)
        return UINT64_MAX;
    for (size_t k = 0; k < n; k++) {
        const open_pick *o = open_of(b, &reqs[k]);
        if (o != NULL)
            combo |= (uint64_t)1 << (o - b->open);
    }
    if (made->mode == md && made->combo == combo)
        return combo;
    memset(mine, 0, words * sizeof *mine);
    for (uint32_t k = 0; k < b->nopen; k++)
        for (size_t w = 0; combo >> k & 1 && w < words; w++)
            mine[w] |= b->open[k].acc[w];
    *made = (picked_made){ md, combo };
    return combo;
}

/* Add the members of r's set to mine, or, with b, take them away again: each bit back to what
 * the open picks of combo in b give it. */
static void set_bits(uint64_t *mine, const struct ap_chain_req *r, const bearing_of *b,
                     uint64_t combo)
{
    for (uint32_t i = 0; r->pick != NULL && r->set != NULL && i < r->nset; i++) {
        uint32_t v = r->set[i];
        uint64_t bit = (uint64_t)1 << (v & 63), base = 0;
        for (uint32_t k = 0; b != NULL && k < b->nopen; k++)
            base |= combo >> k & 1 ? b->open[k].acc[v >> 6] & bit : 0;
        mine[v >> 6] = b == NULL ? mine[v >> 6] | bit : (mine[v >> 6] & ~bit) | base;
    }
}

/* The requests reqs[0..n) (sorted), a run per group of one partner and mode; a request whose
 * blocked run does not carry what it wants goes to *later (NULL: none can), to be asked again
 * of the plain run. */
static int pass(ap_rule_ctx *c, targets *t, struct ap_chain_req *reqs, size_t n,
                struct ap_chain_req **later, uint32_t *nlater)
{
    bearing_of bear[2] = { { NULL, NULL, NULL, 0 }, { NULL, NULL, NULL, 0 } };
    uint64_t *within[2] = { NULL, NULL };   /* bearing's, plain and blocked */
    ap_out_view *slots[2] = { NULL, NULL }; /* c->view's slots into them */
    size_t words = (size_t)ap_graph_node_count(c->g) / 64 + 1;
    uint64_t *only = NULL;                  /* one group's bearing (group_bearing) */
    uint64_t *mine = malloc(words * sizeof *mine);  /* what one group's picks may accept */
    picked_made made = { -1, 0 };
    int rc = mine != NULL ? AP_OK : ap_error_nomem(c->err);
    for (int mode = 0; mode < 2 && rc == AP_OK; mode++) {
        rc = bearing(c, reqs, n, mode == 1, &bear[mode]);
        within[mode] = bear[mode].all;
        if (rc == AP_OK && within[mode] != NULL && c->view != NULL)
            rc = ap_query__out_view_only(&slots[mode], c->view, within[mode], c->err);
        if (rc == AP_OK && bear[mode].nopen > 1 && only == NULL
            && (only = malloc(words * sizeof *only)) == NULL)
            rc = ap_error_nomem(c->err);
    }
    if (n > 1)
        qsort(reqs, n, sizeof *reqs, req_cmp);
    for (size_t i = 0; i < n && rc == AP_OK;) {
        size_t j = i;
        t->left = t->unfound = 0;
        t->whole = false;
        t->npicks = 0;
        for (; j < n && reqs[j].partner == reqs[i].partner && reqs[j].blocked == reqs[i].blocked;
             j++) {
            struct ap_chain_req *r = &reqs[j];
            if (r->target == AP_UNREACHED) {
                t->whole |= r->pick == NULL;
                t->unfound += r->pick != NULL;
                if (r->pick != NULL && t->npicks == t->cap) {
                    size_t more_cap = t->cap ? t->cap * 2 : 16;
                    struct ap_chain_req **more = realloc(t->picks, more_cap * sizeof *more);
                    if (more != NULL)
                        t->picks = more;
                    const uint64_t **acc = realloc(t->acc, more_cap * sizeof *acc);
                    if (acc != NULL)
                        t->acc = acc;
                    if (more == NULL || acc == NULL) {
                        rc = ap_error_nomem(c->err);
                        break;
                    }
                    t->cap = more_cap;
                }
                if (r->pick != NULL) {
                    const open_pick *o = open_of(&bear[reqs[i].blocked], r);
                    t->acc[t->npicks] = o != NULL ? o->acc : NULL;
                    t->picks[t->npicks++] = r;
                }
            } else if (!(t->mark[r->target >> 6] >> (r->target & 63) & 1)
                       && r->target != r->partner) {
                t->mark[r->target >> 6] |= (uint64_t)1 << (r->target & 63);
                t->need[r->target] = r->want;
                t->left++;
            } else if (r->target != r->partner && r->want != AP_RIGHTS_ALL) {
                /* a want of every right is met by anything; two others, by their meeting
                 * only once the run is over */
                ap_rights *w = &t->need[r->target];
                *w = *w == AP_RIGHTS_ALL ? r->want : *w == r->want ? *w : 0;
            }
        }
        if (rc < 0)
            break;
        int md = reqs[i].blocked;
        /* the picks are asked only where the group's own may accept (of the mode's, nine
         * nodes in ten of the independent estate) */
        uint64_t combo = t->npicks > 0 ? group_picked(&bear[md], reqs + i, j - i, mine, words,
                                                      md, &made)
                                       : UINT64_MAX;
        for (size_t k = i; k < j && combo != UINT64_MAX; k++)
            set_bits(mine, &reqs[k], NULL, 0);
        t->picked = combo != UINT64_MAX ? mine : NULL;
        const uint64_t *run_only = t->whole ? NULL : within[md];
        const ap_out_view *run_view = t->whole ? NULL : slots[md];
        if (!t->whole && only != NULL && group_bearing(&bear[md], reqs + i, j - i, only, words)) {
            run_only = only;            /* the whole graph's slots, asked of only */
            run_view = NULL;
        }
        const ap_authority *a = ap_findings__authority_until_mode(c, reqs[i].partner,
                                                                  reqs[i].blocked, run_only,
                                                                  run_view, all_reached, t);
        for (size_t k = i; k < j && a != NULL && c->rc == AP_OK; k++) {
            struct ap_chain_req *r = &reqs[k];
            uint32_t v = r->target != AP_UNREACHED ? r->target : r->found;
            if (r->either && later != NULL && (v == AP_UNREACHED || !(a->rights[v] & r->want))) {
                struct ap_chain_req plain = *r;
                plain.blocked = plain.either = false;
                if (ap_query__push(later, nlater, sizeof plain, &plain) < 0) {
                    c->rc = ap_error_nomem(c->err);
                    break;
                }
                continue;
            }
            ap_finding *f = ap_findings__at(c, r->finding);
            if (f == NULL)
                break;
            c->rule = f->rule;
            if (r->has_then) {
                ap_findings__path(c, f, a, v, r->edge);
                r->on.then(c, f);
            } else {
                r->on.say(c, f, a, v, r->edge);
            }
        }
        for (size_t k = i; k < j; k++)
            if (reqs[k].target != AP_UNREACHED)
                t->mark[reqs[k].target >> 6] &= ~((uint64_t)1 << (reqs[k].target & 63));
        for (size_t k = i; k < j && combo != UINT64_MAX; k++)
            set_bits(mine, &reqs[k], &bear[md], combo);
        rc = c->rc;
        if (rc == AP_OK)
            rc = ap_findings__freeze(c);
        i = j;
    }
    if (c->until_ws != NULL) {          /* not the pass's set and slots, which go now */
        ap_query__authority_ws_only(c->until_ws, NULL);
        ap_query__authority_ws_view(c->until_ws, c->view);
    }
    for (int mode = 0; mode < 2; mode++) {
        bearing_free(&bear[mode]);
        ap_query__out_view_free(slots[mode]);
    }
    free(only);
    free(mine);
    return rc;
}

int ap_findings__chains(ap_rule_ctx *c)
{
    targets t = { .c = c,
                  .need = calloc((size_t)ap_graph_node_count(c->g) + 1, sizeof *t.need),
                  .mark = calloc((size_t)ap_graph_node_count(c->g) / 64 + 1, sizeof *t.mark) };
    struct ap_chain_req *later = NULL;
    uint32_t nlater = 0;
    int rc = AP_OK;
    if (t.need == NULL || t.mark == NULL)
        rc = ap_error_nomem(c->err);
    if (rc == AP_OK)
        rc = pass(c, &t, c->reqs, c->nreqs, &later, &nlater);
    if (rc == AP_OK)
        rc = pass(c, &t, later, nlater, NULL, NULL);        /* plain: nothing falls back */
    free(t.need);
    free(t.mark);
    free(t.picks);
    free(t.acc);
    free(later);
    free(c->reqs);
    c->reqs = NULL;
    c->nreqs = c->reqcap = 0;
    return rc;
}
