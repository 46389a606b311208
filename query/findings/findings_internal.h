/* query/findings/findings_internal.h: what the rule files share: the context a check runs in
 * (graph, policy, one batch of partners' authorities at a time) and the builder for findings. */
#ifndef AUTHPATH_FINDINGS_INTERNAL_H
#define AUTHPATH_FINDINGS_INTERNAL_H

#include "authpath/findings.h"
#include "../kernel/kernel.h"

typedef struct ap_rule_ctx ap_rule_ctx;     /* what a rule sees while it runs (below) */

#define AP_DAY ((int64_t)86400)
#define AP_FINDINGS_CHAIN_WORDS 16  /* steps of a chain a message names: the first and last 8 */

struct ap_findings {
    ap_finding *items;
    size_t n, cap;
    size_t waived;
    ap_severity *severity;      /* per catalogue rule, after the policy's overrides */
    /* store.c: the evidence of frozen findings is in file, finding i's record at spot[i] - 1
     * (0: in memory), spot_len[i] bytes; items before frozen_upto are frozen but those in
     * thawed[]; buf holds a record read back, that of items[loaded] for ap_findings_get */
    FILE *file;
    uint64_t end;
    bool unflushed;
    uint64_t *spot;
    uint32_t *spot_len;
    size_t spot_cap, frozen_upto;
    size_t *thawed, nthawed, thawed_cap;
    char *buf;
    size_t buf_cap, loaded;
    /* partners.c: bits[i], a bit per partner of the graph (all[k] is the k-th, in id order)
     * once items[i] is about more than a share of them (NULL: its partners are all listed) */
    uint64_t **bits;
    uint32_t *all, nall;
    uint32_t place_p;           /* the last partner placed among all[], and its place + 1 */
    int64_t place_at;
};

/* A yes/no attribute of every node or edge, looked up once each (ap_findings__node_flag):
 * at[x] 0 not yet, 1 no, 2 yes. mode: the default of a boolean (0, 1), or 2: a non-empty
 * string (equal to value unless it is NULL). */
typedef struct {
    const char *key, *value;
    bool edge;
    int mode;
    unsigned char *at;
} ap_flag_cache;

#define AP_FINDINGS_FLAGS 16    /* distinct (key, node or edge) pairs the rules ask for */

/* What a rule keeps from one batch of partners to the next (ap_findings__state). */
typedef struct {
    void *p;
    void (*dispose)(void *);    /* frees p and what it owns */
    struct ap_subject_table *subjects;  /* ap_findings__subject's (subjects.c) */
} ap_rule_state;
/* Free a rule's table of findings by subject (NULL: nothing). */
void ap_findings__subjects_free(struct ap_subject_table *t);

/* What a rule sees while the catalogue runs (lanes.c): the graph, the policy, the partners, its
 * state across batches of lanes, and the builder's output. Memory is one batch of the kernel's
 * words plus what the rules keep per partner, node or edge, never partners x nodes. */
struct ap_rule_ctx {
    const ap_graph *g;
    const ap_policy *policy;
    int64_t at;                 /* the graph's time */
    uint32_t *partners;         /* partner node indices, in id order */
    uint32_t npartners;
    bool last;                  /* the finish hooks, after every batch */
    size_t batch;               /* bytes of authority the cache below may hold */
    const struct ap_out_view *view;   /* the graph's out-edge slots every run reads */
    /* Other nodes' authorities, cached until the cache is full: the k-th (k < ncached) is
     * cached_auth[k], workspace cached_ws[k]'s, about node cached[k]; slot[v] is v's k + 1
     * (0: not cached). The workspaces stay for the next fill: an authority costs its reach,
     * not the graph's node count. */
    struct ap_authority_ws **cached_ws;
    const ap_authority **cached_auth;   /* cached_ws[k]'s last result */
    uint32_t *cached, *slot;
    uint32_t ncached, nws;
    size_t cached_bytes;
    struct ap_authority_ws *until_ws;   /* ap_findings__authority_until's */
    const ap_authority *until;          /* its last result */
    ap_rule_state *states;      /* per catalogue rule */
    unsigned char *exists;      /* per catalogue rule: ap_findings__exists' answer + 1, or 0 */
    ap_findings *out;
    const struct ap_usage *usage;   /* observed use, or NULL */
    const ap_rule *rule;        /* the rule being run */
    ap_flag_cache flags[AP_FINDINGS_FLAGS];     /* ap_findings__node_flag's */
    /* flags.c: the last attributes text parsed and its object (a node's rules ask several
     * keys of it in a row: one parse) */
    const char *parsed_text;
    struct json_t *parsed;
    /* Per node, built once per run (ap_findings__kind, ap_findings__sens): its kind in the low
     * 3 bits, ap_findings__sensitivity + 1 above them. The rules test these of every node a
     * partner reaches: a byte each instead of a node record each. */
    unsigned char *node_bits;
    struct ap_chain_req *reqs;  /* chains.c: the chains the lanes rules asked for */
    uint32_t *dom_owner;        /* lanes.c: per node, 2 + its domain's partner index, 1 none */
    size_t nreqs, reqcap;
    ap_error *err;
    int rc;                     /* the first error: once set, the builder does nothing */
};

/* Free what finding f (one of out->items) owns (store.c). */
void ap_findings__dispose(ap_findings *out, ap_finding *f);
/* Freeze every finding made or changed since the last call: its evidence (message, nodes,
 * facts, path) written to the store's temporary file and freed, its header kept (store.c).
 * AP_ENOMEM or AP_EIO on failure. */
int ap_findings__freeze_new(ap_findings *out);
/* ap_findings__freeze_new, its failure said in c->err (AP_ENOMEM, AP_EIO: the directory). */
int ap_findings__freeze(ap_rule_ctx *c);
/* spot_len's bit for a record without a message (a rule's bug once the run is over). */
#define AP_SPOT_SILENT ((uint32_t)1 << 31)
/* Forget the finding ap_findings_get read back last (its evidence pointers cleared). */
void ap_findings__forget(ap_findings *out);
/* Close the store's file and free its arrays. */
void ap_findings__store_free(ap_findings *out);
/* Finding i of the run, with its evidence to read and change (read back from the store when
 * frozen); NULL after an error (ctx->rc says which). A rule reads an earlier finding's
 * evidence only through this; its header (rule, partners, subject) is always there. */
ap_finding *ap_findings__at(ap_rule_ctx *c, size_t i);
/* Add partner p to finding i without reading its evidence back (ap_findings__partner). */
void ap_findings__partner_at(ap_rule_ctx *c, size_t i, uint32_t p);
/* What one authority holds in memory (its per-node arrays and its arrivals), roughly. */
size_t ap_findings__authority_bytes(const ap_authority *a);
/* Partner index i of partner node p, or -1 when p is not a partner. */
int64_t ap_findings__partner_index(const ap_rule_ctx *c, uint32_t p);
/* The authority of node v as a source (a partner of the batch: its auth[]); NULL after an
 * error. Valid until the next call: the cache of other nodes' authorities is bounded. */
const ap_authority *ap_findings__authority(ap_rule_ctx *c, uint32_t v);
/* The authority of node v as a source, stopped after the first round at whose end enough()
 * said true of a node first reached in it (ap_query__authority_run_until: the nodes of up to
 * that many hops, each with its hops and witness path, rights only a lower bound). Not cached:
 * valid until the next call; NULL after an error. */
const ap_authority *ap_findings__authority_until(ap_rule_ctx *c, uint32_t v,
                                                 bool (*enough)(void *ctx, const ap_authority *a,
                                                                uint32_t v),
                                                 void *ctx);
/* The running rule's state across batches: `size` zeroed bytes on the first call, the same
 * block after; dispose (or free when NULL) releases it at the end. NULL when out of memory. */
void *ap_findings__state(ap_rule_ctx *c, size_t size, void (*dispose)(void *));
/* Is there a node (or with edge, an edge) x of the graph with yes(c, x)? Asked once per run
 * for the running rule, which passes the same yes every time: a rule whose every finding is
 * about such a node or edge skips the reach of every partner when there is none. */
bool ap_findings__exists(ap_rule_ctx *c, bool edge, bool (*yes)(const ap_rule_ctx *, uint32_t));
/* Forget a finding made in an earlier batch that the last call finds not to hold. */
void ap_findings__drop(ap_rule_ctx *c, size_t index);
/* Empty f's evidence (nodes, path, facts) to build it again from a better witness. */
void ap_findings__reset(ap_rule_ctx *c, ap_finding *f);

/* Start a finding of the running rule about partner p (node index) and its subject. The
 * pointer is valid until the next ap_findings__add; NULL after an error (ctx->rc says which).
 * The builder calls below accept NULL and do nothing then. */
ap_finding *ap_findings__add(ap_rule_ctx *c, uint32_t p, bool edge, uint32_t subject);
void ap_findings__node(ap_rule_ctx *c, ap_finding *f, uint32_t v);
/* Tell the partner lists that partner node p is the at-th of the graph's partners (saves a
 * search when p is added next). */
void ap_findings__place_hint(ap_findings *out, uint32_t p, uint32_t at);
/* Add partner p to the partners the finding is about (kept in id order, once each; past a
 * share of the graph's partners, a bit each and the first ones listed: partners.c). */
void ap_findings__partner(ap_rule_ctx *c, ap_finding *f, uint32_t p);
/* Add to finding i the graph's partners at places w * 64 + each bit of m (out->all's order), a
 * word at once when it keeps bits; false when it keeps a list (add them one by one then). */
bool ap_findings__partner_word(ap_rule_ctx *c, size_t i, uint32_t w, uint64_t m);
/* The graph's partners, for the bits of partners.c (out->all). */
int ap_findings__partners_init(ap_findings *out, const ap_graph *g);
/* Is finding i about partner p? */
bool ap_findings__has_partner(const ap_findings *out, size_t i, uint32_t p);
/* "a, b, c and 4 more" of the finding's partners (into buf, at most `max` named). */
const char *ap_findings__partner_list(const ap_rule_ctx *c, const ap_finding *f, char *buf,
                                      size_t size, size_t max);
void ap_findings__fact(ap_rule_ctx *c, ap_finding *f, const char *key, const char *fmt, ...)
    AP_PRINTF(4, 5);
/* The value of f's fact `key`, or NULL (the first, when there are several). */
const char *ap_findings__fact_of(const ap_finding *f, const char *key);
/* A date fact (YYYY-MM-DD, or the full time when it is not midnight). */
void ap_findings__date(ap_rule_ctx *c, ap_finding *f, const char *key, int64_t t);
/* The rights in r, as a fact ("read, write"). */
void ap_findings__rights(ap_rule_ctx *c, ap_finding *f, const char *key, ap_rights r);
/* Append the witness path of a to v; then (when e is not AP_UNREACHED) the edge e after it. */
void ap_findings__path(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e);
/* Append v's witness for the rights in want (ap_authority_chain's); returns what it delivers
 * at v when replayed (ap_authority_replay), 0 when nothing was appended. */
ap_rights ap_findings__path_for(ap_rule_ctx *c, ap_finding *f, const ap_authority *a,
                                uint32_t v, ap_rights want);
/* Through another partner, the evidence stops at it: that partner's own authority carries on
 * (and its own findings say how), so a loop of N partners prints N short chains, not N chains
 * of up to N steps. Cuts f's path (from f's partner) after the first other partner on it,
 * keeps the nodes before it and target, adds the fact through_partner; returns that partner,
 * or AP_UNREACHED when there is none (f unchanged). */
uint32_t ap_findings__stop_at_partner(ap_rule_ctx *c, ap_finding *f, uint32_t target);
void ap_findings__message(ap_rule_ctx *c, ap_finding *f, const char *fmt, ...)
    AP_PRINTF(3, 4);

/* "partner q0" or "partners q0, q1 and 3 more" (who), and the chain: "through q0 > c0 > crm"
 * or, for several, "for example through q1 > c0 > crm" (how). */
void ap_findings__who_and_how(ap_rule_ctx *c, const ap_finding *f, char *who, size_t wsize,
                              char *how, size_t hsize);
/* One finding of the running rule per subject (a node, or with edge an edge; a rule keeps to
 * one of them), about every partner that raises it (subjects.c): the first call for a subject
 * (partners come in id order) returns a new finding of partner p to build, with p's chain; a
 * later one adds p to it and returns NULL (as an error does: ctx->rc says which). The table
 * is apart from the rule's ap_findings__state. */
ap_finding *ap_findings__subject(ap_rule_ctx *c, uint32_t p, bool edge, uint32_t subject);
/* At the last call: drop each such finding about fewer than `least` partners, and say(c, f)
 * again for each about more than one, its evidence read back (its message names them all). */
int ap_findings__subjects_said(ap_rule_ctx *c, size_t least,
                               void (*say)(ap_rule_ctx *c, ap_finding *f));
/* "partner p0 through p0 > k1", or "partners p0, p1 and 3 more, for example through p0 > k1":
 * who holds f's subject and how, for its message (into buf). */
const char *ap_findings__held_by(ap_rule_ctx *c, const ap_finding *f, char *buf, size_t size);

/* Helpers for messages: a date as text; the finding's path as "a > b > c" (into buf). */
void ap_findings__date_text(char *buf, size_t size, int64_t t);
const char *ap_findings__chain(const ap_rule_ctx *c, const ap_finding *f, char *buf,
                               size_t size);

/* ap_graph_node_bool / ap_graph_edge_bool, each (key, node or edge) read from the graph's
 * attributes once and remembered for the run: the rules ask for the same attribute of a node
 * once per partner reaching it. (Out of memory: the graph is asked every time.) */
bool ap_findings__node_flag(const ap_rule_ctx *c, uint32_t v, const char *key, bool dflt);
bool ap_findings__edge_flag(const ap_rule_ctx *c, uint32_t e, const char *key, bool dflt);
/* The string value of key in a node's or edge's attributes text (into buf, cut to its size),
 * or NULL: parsed by the rule context, which keeps only the last text parsed, not by the graph
 * (flags.c). */
const char *ap_findings__attr_str(const ap_rule_ctx *c, const char *attrs, const char *key,
                                  char *buf, size_t size);
/* The same for a time (false when absent or not a date): for attributes read once per node,
 * whose parsed objects the graph need not keep. */
bool ap_findings__attr_time(const ap_rule_ctx *c, const char *attrs, const char *key,
                            int64_t *out);
/* Several keys of one attributes text, parsed once (a node's attributes are JSON: a parse costs
 * more than the rules that ask): each ask's kind is 's' (its string in buf), 't', 'f' or 0. */
typedef struct {
    const char *key;
    int kind;
    char buf[64];               /* a date or a short name: longer ones are cut */
} ap_attr_ask;
void ap_findings__attrs(const ap_rule_ctx *c, const char *attrs, ap_attr_ask *ask, size_t n);
/* Let go of the last parsed attributes (the run's end). */
void ap_findings__attrs_drop(ap_rule_ctx *c);
/* An ask's string, or NULL when it was not one. */
static inline const char *ap_findings__ask_str(const ap_attr_ask *a)
{
    return a->kind == 's' ? a->buf : NULL;
}
/* Does node v have a non-empty string attribute key (remembered as above)? Equal to value,
 * when value is not NULL? */
bool ap_findings__node_named(const ap_rule_ctx *c, uint32_t v, const char *key);
bool ap_findings__node_is(const ap_rule_ctx *c, uint32_t v, const char *key, const char *value);

/* Is a credential a static secret, from asks of its "type" and "static" (ap_findings__attrs):
 * its `static` attribute, else static by the nature of its type (api_key, client_secret,
 * password, pat, ssh_key, access_key)? (authentication.c) */
bool ap_findings__static_of(const ap_attr_ask *type, const ap_attr_ask *is_static);
/* The sensitivity of a node (internal for resources and workflows without one; NONE else). */
ap_sensitivity ap_findings__sensitivity(const ap_graph *g, uint32_t v);
/* The node bytes of the run (ctx->node_bits): NOMEM when out of memory (flags.c). */
int ap_findings__node_bits(ap_rule_ctx *c);
/* Node v's kind and ap_findings__sensitivity, from the run's byte per node. */
static inline ap_kind ap_findings__kind(const ap_rule_ctx *c, uint32_t v)
{
    return (ap_kind)(c->node_bits[v] & 7);
}
static inline ap_sensitivity ap_findings__sens(const ap_rule_ctx *c, uint32_t v)
{
    return (ap_sensitivity)((c->node_bits[v] >> 3) - 1);
}

/* ---- lanes.c: rules on the all-partners kernel (docs/design.md, "Findings") ----
 *
 * A lanes rule reads the kernel's words, not one authority per partner: the partners run in
 * batches of 64 x L (in id order: lane b of word j is partners[base + 64 j + b]), and at each
 * node it watches the rule hears which lanes hold which rights there, and (when it asks) which
 * hold it directly: with every other partner blocked (a partner other than the source receives
 * but sends nothing on). Its findings name their partners by lanes; the chain each shows is
 * asked for (ap_findings__chain_later) and made at the end, one single-source run per partner
 * shown. */
typedef struct {
    const ap_kernel_batch *b;
    uint32_t v;
    const uint64_t *w;          /* w[c * L + j]: the lanes holding class c; [K * L + j]: any */
    uint64_t cls;               /* the classes some lane holds */
    const uint64_t *direct;     /* L words: the lanes holding v directly (rules that ask) */
} ap_lanes_at;

typedef struct {
    const char *id;                                     /* the catalogue rule */
    bool (*watch)(const ap_rule_ctx *c, uint32_t v);    /* the nodes it hears of */
    bool direct;                                        /* it wants ap_lanes_at.direct */
    void (*node)(ap_rule_ctx *c, const ap_lanes_at *x);
    void (*batch_end)(ap_rule_ctx *c, const ap_kernel_batch *b);    /* or NULL */
    int (*finish)(ap_rule_ctx *c);      /* after every batch (c->last), or NULL */
} ap_lanes_rule;

/* The lanes rules (each in its family's file, listed in lanes.c). */
extern const ap_lanes_rule ap_lanes__credential_no_expiry, ap_lanes__credential_long_lived,
    ap_lanes__credential_outlives_contract;
extern const ap_lanes_rule ap_lanes__read_only_exceeded, ap_lanes__undeclared_rights,
    ap_lanes__sensitive_workflow, ap_lanes__escalation, ap_lanes__temporary_no_expiry;
extern const ap_lanes_rule ap_lanes__k8s_cluster_admin, ap_lanes__k8s_secrets_wildcard,
    ap_lanes__k8s_impersonation, ap_lanes__k8s_partner_cluster_wide;
extern const ap_lanes_rule ap_lanes__trust_anyone, ap_lanes__confused_deputy;
extern const ap_lanes_rule ap_lanes__gdap_global_admin, ap_lanes__app_global_admin,
    ap_lanes__gdap_stale, ap_lanes__admin_consent, ap_lanes__unverified_app,
    ap_lanes__federated_wildcard;
extern const ap_lanes_rule ap_lanes__usage_not_granted, ap_lanes__granted_never_used,
    ap_lanes__attempted_not_granted;
extern const ap_lanes_rule ap_lanes__delegation_loop, ap_lanes__fourth_party,
    ap_lanes__inherits_partner, ap_lanes__review_overdue, ap_lanes__beyond_scope,
    ap_lanes__scope_undeclared;
extern const ap_lanes_rule ap_lanes__owner_missing, ap_lanes__partner_undocumented,
    ap_lanes__credential_shared, ap_lanes__credential_multi_tenant, ap_lanes__partner_ended_live,
    ap_lanes__partner_can_mint, ap_lanes__dormant_access, ap_lanes__static_secret,
    ap_lanes__credential_rotation_overdue, ap_lanes__environment_crossing,
    ap_lanes__unattributable_write;
/* r's hooks (every catalogue rule has them; NULL for a rule that is not in the catalogue). */
const ap_lanes_rule *ap_findings__lanes_rule(const ap_rule *r);
/* Run the lanes rules use[i] selects (catalogue index i) over every partner, then finish. */
int ap_findings__run_lanes(ap_rule_ctx *c, const bool *use);
/* What lane `lane` holds at x->v. */
ap_rights ap_findings__lane_rights(const ap_lanes_at *x, unsigned lane);
/* The lanes holding some right of want at x->v, into out[L]. */
void ap_findings__lanes_with(const ap_lanes_at *x, ap_rights want, uint64_t *out);
/* The first lane set in lanes[L], or -1. */
int64_t ap_findings__first_lane(const ap_kernel_batch *b, const uint64_t *lanes);
/* The partner of lane `lane`. */
static inline uint32_t ap_findings__lane_partner(const ap_rule_ctx *c, const ap_kernel_batch *b,
                                                 unsigned lane)
{
    return c->partners[b->base + lane];
}
/* Add the partners of lanes[L] to finding i. */
void ap_findings__partner_lanes(ap_rule_ctx *c, size_t i, const ap_kernel_batch *b,
                                const uint64_t *lanes);
/* ap_findings__subject for every partner of lanes[L] (none: NULL): the new finding, of the first
 * of them, when the subject had none; NULL when it joined the subject's finding. */
ap_finding *ap_findings__subject_lanes(ap_rule_ctx *c, const ap_kernel_batch *b,
                                       const uint64_t *lanes, bool edge, uint32_t subject);
/* Has v an out-edge e with selected(c, e)? (privilege.c: the tails a per-edge rule watches) */
bool ap_findings__has_out(const ap_rule_ctx *c, uint32_t v,
                          bool (*selected)(const ap_rule_ctx *, uint32_t));
/* The lanes whose authority crosses edge e: a right at its tail that its gate (if any)
 * asks and, unless it escalates, one it passes; usable from that partner. x at its tail. */
void ap_findings__edge_lanes(const ap_rule_ctx *c, const ap_lanes_at *x, uint32_t e,
                             uint64_t *out);
/* The lanes at x->v (an identity or credential) whose partner owns it: one
 * step from the partner, or operated by it (its domain) and held directly (x->direct). */
void ap_findings__owner_lanes(ap_rule_ctx *c, const ap_lanes_at *x, uint64_t *out);
/* The finding about identity or credential x->v that the batch's partners owning it join, made
 * by the first in id order (NULL: none owns it, or they joined an earlier batch's finding). */
ap_finding *ap_findings__owned(ap_rule_ctx *c, const ap_lanes_at *x);
/* The running rule's finding about subject (ap_findings__subject's), or SIZE_MAX. */
size_t ap_findings__subject_index(ap_rule_ctx *c, bool edge, uint32_t subject);

/* chains.c: the chain a finding shows, made after every lanes rule finished: say(c, f, a, v, e)
 * with a, partner p's authority (blocked: with the other partners blocked), run until it
 * reached every v its partner's findings show (its witness paths are the full run's, its
 * rights at those nodes a lower bound). say adds the path and writes the message. */
typedef void (*ap_chain_say)(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                             uint32_t e);
void ap_findings__chain_later(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                              uint32_t e, bool blocked, ap_chain_say say);
/* The message most rules write once the chain is in: ap_findings__chain_then's. */
typedef void (*ap_chain_then)(ap_rule_ctx *c, ap_finding *f);
/* ap_findings__chain_later whose say adds the path to v (and e after it), then calls then. */
void ap_findings__chain_then(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                             uint32_t e, bool blocked, ap_chain_then then);
/* The same from the run with the other partners blocked (a direct chain), unless that one does
 * not carry what e passes: then from the plain run. */
void ap_findings__chain_later_direct(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                                     uint32_t e, ap_chain_say say);
/* The same for a chain to v that must carry one of want (a partner's write at an identity):
 * its run goes on until v holds one. */
void ap_findings__chain_later_want(ap_rule_ctx *c, ap_finding *f, uint32_t p, uint32_t v,
                                   bool blocked, ap_rights want, ap_chain_say say);
/* The same for a node the run finds: say(c, f, a, v, AP_UNREACHED) with v the first node in
 * reach order (hops, then id) that pick(c, v, arg) accepts (AP_UNREACHED: none; the run then
 * went to its end). pick NULL: v is AP_UNREACHED and a is the whole run. */
typedef bool (*ap_chain_pick)(const ap_rule_ctx *c, uint32_t v, uint32_t arg);
void ap_findings__chain_first(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                              ap_chain_pick pick, uint32_t arg, ap_chain_say say);
/* The pick of a sensitivity: v's sensitivity + 1 is arg (0: a node without one). The rules
 * share it, so that a pass computes what bears on each level once. */
bool ap_findings__pick_level(const ap_rule_ctx *c, uint32_t v, uint32_t arg);
/* The same, v also one of set[0..nset) (sorted by index; the caller keeps it until the chains
 * are made). */
void ap_findings__chain_first_of(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                                 ap_chain_pick pick, uint32_t arg, const uint32_t *set,
                                 uint32_t nset, ap_chain_say say);
/* The first m nodes of set[0..nset) (sorted by index, m < nset) in reach order: every member
 * the run reached up to the end of the round in which the m-th came is put into got (the
 * caller's, kept until the chains are made; its first m by hops then id are the ones), and
 * say(c, f, a, v, AP_UNREACHED) is called once, v one of them (AP_UNREACHED: fewer than m
 * reached; the run then went to its end). */
typedef struct {
    uint32_t *v;
    uint32_t n;
} ap_chain_got;
void ap_findings__chain_first_n(ap_rule_ctx *c, ap_finding *f, uint32_t p, bool blocked,
                                const uint32_t *set, uint32_t nset, uint32_t m,
                                ap_chain_got *got, ap_chain_say say);
int ap_findings__chains(ap_rule_ctx *c);
/* ap_findings__authority_until, with the other partners blocked when blocked is true, and
 * delivering only to the nodes of only when it is not NULL (ap_query__authority_ws_only),
 * reading view's slots then (NULL: c->view's; else made of c->view for only). */
const ap_authority *ap_findings__authority_until_mode(ap_rule_ctx *c, uint32_t v, bool blocked,
                                                      const uint64_t *only,
                                                      const struct ap_out_view *view,
                                                      bool (*enough)(void *ctx,
                                                                     const ap_authority *a,
                                                                     uint32_t v),
                                                      void *ctx);
/* The plain run from v on view (and only, as above) with probe (ap_query__authority_ws_probe):
 * stopped before the first round of which probe says it needs no more; false on an error. */
bool ap_findings__authority_probe(ap_rule_ctx *c, uint32_t v, const uint64_t *only,
                                  const struct ap_out_view *view,
                                  bool (*probe)(void *ctx, uint32_t v, uint32_t round),
                                  void *ctx);

/* The checks, one family per file; catalogue.c lists them with their metadata. */
/* v's last use: its last_used attribute or its last observed event, the later (false: none). */
bool ap_findings__last_used(const ap_rule_ctx *c, uint32_t v, int64_t *out);

/* lanes.c: a count per lane, bit-sliced: planes[k * L + j] holds bit k of the counts of word
 * j's lanes (AP_LANE_COUNT_BITS planes of L words, zeroed to start). Adding one to every lane of
 * lanes[L] costs O(L) words amortised, not a step per lane. */
#define AP_LANE_COUNT_BITS 32
void ap_findings__count_lanes(uint64_t *planes, unsigned L, const uint64_t *lanes);
/* The count of lane `lane`. */
uint32_t ap_findings__lane_count(const uint64_t *planes, unsigned L, unsigned lane);

#endif
