/* query/whatif.c: docs/design.md's what-if. Hypothetical grants and revocations applied to a
 * derived graph; every partner's authority compared; readiness of the partner's new paths
 * (the findings that appear or vanish: whatif_findings.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"
#include "authpath/scope.h"

#define NONE UINT32_MAX
#define GRANT_SYNTAX "'FROM -KIND[right,...]-> TO'"

/* ---- Parsing a grant ---- */

static void trim(const char **s, const char **end)
{
    while (*s < *end && isspace((unsigned char)**s))
        (*s)++;
    while (*end > *s && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

/* The node named by s..end: exactly those bytes first (an id may begin or end with spaces),
 * then without the spaces around them. -1 when neither names a node, -2 when nothing is left
 * (or no memory for the copy: the caller reports the id missing, not found). */
static int64_t lookup(const ap_graph *g, const char *s, const char *end)
{
    int64_t found = -1;
    for (int pass = 0; pass < 2 && found < 0; pass++) {
        if (pass == 1)
            trim(&s, &end);
        if (end == s)
            return -2;
        char *id = malloc((size_t)(end - s) + 1);
        if (id == NULL)
            return -2;
        memcpy(id, s, (size_t)(end - s));
        id[end - s] = '\0';
        found = ap_graph_find(g, id);
        free(id);
    }
    return found;
}

static int find_node(uint32_t *v, const ap_graph *g, const char *s, const char *end,
                     const char *text, ap_error *err)
{
    int64_t found = lookup(g, s, end);
    if (found == -2)
        return ap_error_set(err, AP_EINPUT, "bad grant '%s': a node id is missing (expected "
                            GRANT_SYNTAX ")", text);
    if (found < 0) {
        trim(&s, &end);
        return ap_error_set(err, AP_ENOTFOUND, "no node '%.*s' (in grant '%s')",
                            (int)(end - s), s, text);
    }
    *v = (uint32_t)found;
    return AP_OK;
}

/* The rights list between [ and ]: names in g's vocabulary, or "all". */
static int parse_rights(ap_rights *out, const ap_graph *g, const char *s, const char *end,
                        const char *text, ap_error *err)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    *out = 0;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s)), *stop = comma ? comma : end;
        const char *a = s, *b = stop;
        char name[64];
        trim(&a, &b);
        if (b == a || (size_t)(b - a) >= sizeof name)
            return ap_error_set(err, AP_EINPUT, "bad grant '%s': an empty or overlong right",
                                text);
        memcpy(name, a, (size_t)(b - a));
        name[b - a] = '\0';
        if (strcmp(name, "all") == 0) {
            *out = AP_RIGHTS_ALL;
        } else {
            int bit = ap_vocab_find(voc, name);
            if (bit < 0)
                return ap_error_set(err, AP_EINPUT, "unknown right '%s' in grant '%s'", name,
                                    text);
            *out |= (ap_rights)1 << bit;
        }
        s = comma ? comma + 1 : end;
    }
    return AP_OK;
}

/* The separator " -kind[...]-> " starting at text[i]: its kind's bounds, its rights list's
 * (NULL without one) and where the "->" is; false when text[i] starts no such shape. */
typedef struct {
    const char *k, *kend, *rs, *re, *arrow;
} grant_sep;

static bool separator_at(grant_sep *sep, const char *text, size_t i)
{
    if (text[i] != ' ' || text[i + 1] != '-')
        return false;
    const char *k = text + i + 2, *p = k;
    while (*p == '_' || islower((unsigned char)*p))
        p++;
    sep->k = k;
    sep->kend = p;
    sep->rs = sep->re = NULL;
    if (*p == '[') {
        sep->rs = p + 1;
        if ((sep->re = strchr(sep->rs, ']')) == NULL)
            return false;
        p = sep->re + 1;
    }
    sep->arrow = p;
    return p != k && p[0] == '-' && p[1] == '>';
}

/* Where TO starts: after the "->" and the one space the syntax puts there. */
static const char *to_of(const grant_sep *sep)
{
    return sep->arrow[2] == ' ' ? sep->arrow + 3 : sep->arrow + 2;
}

static int parse_at(ap_edge_spec *out, const ap_graph *g, const char *text, size_t i,
                    const grant_sep *sep, ap_error *err)
{
    char kind[32];
    if ((size_t)(sep->kend - sep->k) >= sizeof kind)
        return ap_error_set(err, AP_EINPUT, "unknown edge kind in grant '%s'", text);
    memcpy(kind, sep->k, (size_t)(sep->kend - sep->k));
    kind[sep->kend - sep->k] = '\0';
    if ((out->kind = ap_edge_kind_parse(kind)) == AP_EDGE_NONE)
        return ap_error_set(err, AP_EINPUT, "unknown edge kind '%s' in grant '%s' (expected "
                            "one of " AP_EDGE_KIND_NAMES ")", kind, text);
    const ap_edge_kind_info *info = ap_edge_kind_info_of(out->kind);
    int rc;
    out->rights = info->traversable ? AP_RIGHTS_ALL : 0;
    out->requires = info->requires;
    out->escalates = info->escalates;
    if (sep->rs != NULL) {
        if ((rc = parse_rights(&out->rights, g, sep->rs, sep->re, text, err)) < 0)
            return rc;
        out->declared = true;
    }
    if ((rc = find_node(&out->from, g, text, text + i, text, err)) < 0)
        return rc;
    return find_node(&out->to, g, to_of(sep), text + strlen(text), text, err);
}

/* Ids are data and may hold anything, the separator's shape included (" -access[read]-> " is
 * a valid id): the reading used is the one separator whose FROM and TO both name nodes and
 * whose kind is one; with none, the first separator's reading says what is wrong; with
 * several, the grant is refused as ambiguous rather than one of them guessed. */
int ap_whatif_parse_grant(ap_edge_spec *out, const ap_graph *g, const char *text,
                          ap_error *err)
{
    size_t len = strlen(text), first = SIZE_MAX, match = SIZE_MAX, other = SIZE_MAX;
    grant_sep sep, at_first, at_match;
    memset(out, 0, sizeof *out);
    out->expires = AP_TIME_NONE;
    for (size_t i = 0; i + 1 < len; i++) {
        if (!separator_at(&sep, text, i))
            continue;
        if (first == SIZE_MAX) {
            first = i;
            at_first = sep;
        }
        char kind[32];
        size_t klen = (size_t)(sep.kend - sep.k);
        if (klen >= sizeof kind)
            continue;
        memcpy(kind, sep.k, klen);
        kind[klen] = '\0';
        if (ap_edge_kind_parse(kind) == AP_EDGE_NONE || lookup(g, text, text + i) < 0
            || lookup(g, to_of(&sep), text + len) < 0)
            continue;
        if (match != SIZE_MAX) {
            other = i;
            break;
        }
        match = i;
        at_match = sep;
    }
    if (other != SIZE_MAX)
        return ap_error_set(err, AP_EINPUT, "ambiguous grant '%s': it reads as '%.*s' to "
                            "'%s' and as '%.*s' to '%s' (node ids that hold the separator)",
                            text, (int)match, text, to_of(&at_match), (int)other, text,
                            to_of(&sep));
    if (match != SIZE_MAX)
        return parse_at(out, g, text, match, &at_match, err);
    if (first != SIZE_MAX)
        return parse_at(out, g, text, first, &at_first, err);
    return ap_error_set(err, AP_EINPUT, "bad grant '%s' (expected " GRANT_SYNTAX ")", text);
}

/* ---- Comparing authority ---- */

void ap_whatif_free(ap_whatif *w)
{
    if (w == NULL)
        return;
    for (uint32_t i = 0; w->changes != NULL && i < w->nchanges; i++) {
        ap_query__items_free(w->changes[i].gained, w->changes[i].ngained);
        ap_query__items_free(w->changes[i].lost, w->changes[i].nlost);
    }
    free(w->changes);
    free(w->issues);
    ap_findings_free(w->findings_before);
    ap_findings_free(w->findings_after);
    free(w->appeared);
    free(w->vanished);
    ap_query__items_free(w->breaks, w->nbreaks);
    ap_graph_free(w->changed);
    free(w);
}

static int64_t score(const ap_graph *g, const ap_authority *a, const ap_weights *wt)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < a->nreach; i++)
        s += ap_blast_node_score(g, a->reach[i], a->rights[a->reach[i]], wt);
    return s;
}

/* What x (on gx) holds and y does not, by x's reach order; paths in gx's own edges. */
static int diff(ap_reach_item **list, uint32_t *n, const ap_graph *gx, const ap_authority *x,
                const ap_authority *y, uint32_t paths, ap_error *err)
{
    ap_rights all = ap_vocab_all(ap_graph_vocab(gx));
    for (uint32_t i = 0; i < x->nreach; i++) {
        uint32_t v = x->reach[i];
        ap_rights d = x->rights[v] & ~y->rights[v] & all;
        ap_reach_item it = { x->source, v, d, false, NONE, NULL, 0, 0 };
        int rc;
        if (d == 0)
            continue;
        if (*n < paths && (rc = ap_query__item_path(&it, gx, x, d, false, err)) < 0)
            return rc;
        if (ap_query__push(list, n, sizeof it, &it) < 0) {
            free(it.path);
            return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

/* Partner v's authority on g and on the changed graph (in the workspaces wg and wd), compared. */
static int compare(ap_whatif *w, const ap_graph *g, uint32_t v, const ap_weights *wt,
                   ap_authority_ws *wg, ap_authority_ws *wd, ap_error *err)
{
    const ap_authority *before = NULL, *after = NULL;
    ap_whatif_change ch = { v, 0, 0, NULL, 0, NULL, 0 };
    int rc;
    if ((rc = ap_query__authority_run(&before, wg, g, v, err)) < 0
        || (rc = ap_query__authority_run(&after, wd, w->changed, v, err)) < 0)
        goto cleanup;
    uint32_t shown = AP_WHATIF_ITEMS_SHOWN;
    if ((rc = diff(&ch.gained, &ch.ngained, w->changed, after, before,
                   v == w->partner ? UINT32_MAX : shown, err)) < 0
        || (rc = diff(&ch.lost, &ch.nlost, g, before, after, shown, err)) < 0)
        goto cleanup;
    ch.score_before = score(g, before, wt);
    ch.score_after = score(w->changed, after, wt);
    if (ch.ngained + ch.nlost > 0) {
        if (ap_query__push(&w->changes, &w->nchanges, sizeof ch, &ch) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        ch.gained = NULL;
        ch.lost = NULL;
    }
cleanup:
    ap_query__items_free(ch.gained, ch.ngained);
    ap_query__items_free(ch.lost, ch.nlost);
    return rc;
}

/* Every partner the change can touch (touched[v]), counted by the kernel on both graphs; the
 * partner asked about and the first AP_WHATIF_MAX_PARTNERS others that change, by id, compared
 * one source at a time with their chains; the others that change counted in changes_more. */
static int compare_all(ap_whatif *w, const ap_graph *g, const bool *touched,
                       const ap_weights *wt, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), np = 0, others = 0;
    uint32_t *src = malloc(((size_t)n + 1) * sizeof *src);
    ap_reach_counts *cnt = NULL;
    ap_authority_ws *wg = NULL, *wd = NULL;
    int rc;
    if (src == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER && touched[v])
            src[np++] = v;
    if ((cnt = malloc(((size_t)np + 1) * sizeof *cnt)) == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    if ((rc = ap_query__reach_counts(cnt, g, w->changed, src, np, err)) < 0
        || (rc = ap_query__authority_ws_new(&wg, g, err)) < 0
        || (rc = ap_query__authority_ws_new(&wd, w->changed, err)) < 0)
        goto done;
    for (uint32_t i = 0; i < np; i++) {
        bool changed = cnt[i].gained + cnt[i].lost > 0;
        if (src[i] != w->partner && !changed)
            continue;
        if (src[i] != w->partner && others >= AP_WHATIF_MAX_PARTNERS) {
            w->changes_more++;          /* past the list: counted, no chains */
            continue;
        }
        others += src[i] != w->partner;
        if ((rc = compare(w, g, src[i], wt, wg, wd, err)) < 0)
            goto done;
    }
done:
    ap_query__authority_ws_free(wg);
    ap_query__authority_ws_free(wd);
    free(cnt);
    free(src);
    return rc;
}

/* ---- Readiness of the partner's new paths ---- */

static int issue(ap_whatif *w, ap_readiness_test t, uint32_t node, uint32_t edge,
                 uint32_t actor, const char *reason, ap_error *err)
{
    ap_readiness_issue is = { t, node, edge, actor, reason };
    for (uint32_t i = 0; i < w->nissues; i++)       /* once per subject and reason */
        if (w->issues[i].test == t && w->issues[i].node == node && w->issues[i].edge == edge
            && strcmp(w->issues[i].reason, reason) == 0)
            return AP_OK;
    if (ap_query__push(&w->issues, &w->nissues, sizeof is, &is) < 0)
        return ap_error_nomem(err);
    w->ready[t] = false;
    return AP_OK;
}

/* Shared: more than one node passes authority into the credential over a live edge. */
static bool shared(const ap_graph *d, uint32_t c)
{
    uint32_t first = NONE;
    for (uint32_t i = ap_graph_in_begin(d, c); i < ap_graph_in_end(d, c); i++) {
        const ap_edge *e = ap_graph_edge(d, ap_graph_in_edge(d, i));
        if (!e->live || !e->traversable || e->from == c)
            continue;
        if (first != NONE && first != e->from)
            return true;
        first = e->from;
    }
    return false;
}

static int check_credential(ap_whatif *w, uint32_t c, ap_error *err)
{
    const ap_graph *d = w->changed;
    int rc = AP_OK;
    if (ap_graph_node_str(d, c, "owner") == NULL
        && ap_graph_node_str(d, c, "technical_owner") == NULL)
        rc = issue(w, AP_READY_REVOCABLE, c, NONE, NONE, "no owner", err);
    if (rc == AP_OK && ap_graph_node(d, c)->expires == AP_TIME_NONE)
        rc = issue(w, AP_READY_REVOCABLE, c, NONE, NONE, "no expiry", err);
    if (rc == AP_OK && ap_graph_node_bool(d, c, "multi_tenant", false))
        rc = issue(w, AP_READY_REVOCABLE, c, NONE, NONE, "multi-tenant", err);
    if (rc == AP_OK && shared(d, c))
        rc = issue(w, AP_READY_REVOCABLE, c, NONE, NONE, "shared by several holders", err);
    return rc;
}

static int check_edge(ap_whatif *w, uint32_t e, ap_error *err)
{
    const ap_graph *d = w->changed;
    const ap_edge *ed = ap_graph_edge(d, e);
    ap_rights all = ap_vocab_all(ap_graph_vocab(d));
    bool grant = ap_graph_edge_origin(d, e) == NONE;
    int rc = AP_OK;
    if (grant && ed->expires == AP_TIME_NONE)
        rc = issue(w, AP_READY_REVOCABLE, NONE, e, NONE, "the grant has no expiry", err);
    if (rc == AP_OK && (grant || ed->kind == AP_EDGE_ACCESS) && ed->traversable) {
        if (!ed->declared)
            rc = issue(w, AP_READY_NARROWABLE, NONE, e, NONE, "undeclared rights", err);
        else if ((ed->rights & all) == all)
            rc = issue(w, AP_READY_NARROWABLE, NONE, e, NONE, "every right", err);
    }
    return rc;
}

/* Within purpose: each target the partner gains, with the rights it gains there, against its
 * declared scope; a partner with no scope cannot pass. */
static int check_purpose(ap_whatif *w, const ap_whatif_change *ch, const ap_policy *policy,
                         ap_error *err)
{
    static const char *const why[AP_SCOPE_REASONS] = {
        "outside scope: not among its resources", "outside scope: too sensitive",
        "outside scope: rights beyond its scope", "outside scope: another environment",
        "outside scope: another jurisdiction", "outside scope: outside its engagement window"
    };
    const ap_graph *d = w->changed;
    ap_scope *s = NULL;
    int rc;
    if ((rc = ap_scope_of(&s, d, w->partner, policy, err)) < 0)
        return rc;
    if (s == NULL)
        return ch != NULL && ch->ngained > 0
            ? issue(w, AP_READY_WITHIN_PURPOSE, w->partner, NONE, NONE,
                    "the partner declares no scope to test the change against", err)
            : AP_OK;
    for (uint32_t i = 0; rc == AP_OK && ch != NULL && i < ch->ngained; i++) {
        const ap_reach_item *it = &ch->gained[i];
        unsigned out = ap_scope_outside(s, d, it->node, it->rights, ap_graph_at(d));
        for (int b = 0; rc == AP_OK && b < AP_SCOPE_REASONS; b++)
            if (out & (1u << b))
                rc = issue(w, AP_READY_WITHIN_PURPOSE, it->node, NONE, NONE, why[b], err);
    }
    ap_scope_free(s);
    return rc;
}

/* The four tests over every new path of the partner, and over every grant. */
static int readiness(ap_whatif *w, const ap_policy *policy, ap_error *err)
{
    const ap_graph *d = w->changed;
    const ap_whatif_change *ch = NULL;
    int rc = AP_OK;
    for (int t = 0; t < AP_READY_COUNT; t++)
        w->ready[t] = true;
    for (uint32_t i = 0; i < w->nchanges; i++)
        if (w->changes[i].partner == w->partner)
            ch = &w->changes[i];
    for (uint32_t e = 0; rc == AP_OK && e < ap_graph_edge_count(d); e++)
        if (ap_graph_edge_origin(d, e) == NONE)
            rc = check_edge(w, e, err);
    for (uint32_t i = 0; rc == AP_OK && ch != NULL && i < ch->ngained; i++) {
        const ap_reach_item *it = &ch->gained[i];
        const ap_node *target = ap_graph_node(d, it->node);
        uint32_t actor = NONE;
        w->nnew++;
        for (uint32_t k = 0; rc == AP_OK && k < it->npath; k++) {
            const ap_edge *e = ap_graph_edge(d, it->path[k]);
            if (ap_graph_node(d, e->to)->kind == AP_KIND_IDENTITY && e->to != it->node)
                actor = e->to;
            if (ap_graph_node(d, e->to)->kind == AP_KIND_CREDENTIAL)
                rc = check_credential(w, e->to, err);
            if (rc == AP_OK)
                rc = check_edge(w, it->path[k], err);
        }
        if (rc == AP_OK
            && (target->kind == AP_KIND_RESOURCE || target->kind == AP_KIND_WORKFLOW)
            && !ap_graph_node_bool(d, it->node, "logged", false)
            && (actor == NONE || !ap_graph_node_bool(d, actor, "logged", false)))
            rc = issue(w, AP_READY_ATTRIBUTABLE, it->node, NONE, actor,
                       actor == NONE ? "no identity on the path, and the target is not logged"
                                     : "neither the acting identity nor the target is logged",
                       err);
    }
    if (rc == AP_OK)
        rc = check_purpose(w, ch, policy, err);
    return rc;
}

/* Live depends_on edges of g whose target is live on g and not on the changed graph (a revoked
 * credential), or that the change removes: the dependent breaks. */
static int breaks(ap_whatif *w, const ap_graph *g, const ap_whatif_opts *opts, ap_error *err)
{
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        bool removed = false;
        if (ed->kind != AP_EDGE_DEPENDS_ON || !ed->live)
            continue;
        for (size_t i = 0; i < opts->nrevoke_edges && !removed; i++)
            removed = opts->revoke_edges[i] == e;
        if (!removed && ap_graph_node(w->changed, ed->to)->live)
            continue;
        ap_reach_item it = { ed->from, ed->to, 0, true, UINT32_MAX, NULL, 1, 0 };
        if ((it.path = malloc(sizeof *it.path)) == NULL)
            return ap_error_nomem(err);
        it.path[0] = e;
        if (ap_query__push(&w->breaks, &w->nbreaks, sizeof it, &it) < 0) {
            free(it.path);
            return ap_error_nomem(err);
        }
    }
    return AP_OK;
}

/* touched[v] for every node that can reach a node the change touches, searched backwards.
 * With `ends` false the seeds are the tails of the revoked and granted edges and the revoked
 * nodes, and the search follows live edges that pass authority: only the partners found can
 * gain or lose anything (an edge carries nothing for a partner that does not reach its tail,
 * and a derived graph changes nothing but the edits). With `ends` the heads are seeds too and
 * every edge is followed: the partners whose findings can change (a credential held by two
 * partners stops being shared when one holder's edge goes). One backward search each, so a
 * what-if recomputes the partners whose reach touches the change, not every partner. */
static int touched_nodes(bool **out, const ap_graph *g, const ap_whatif_opts *opts, bool ends,
                         ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), head = 0, tail = 0;
    bool *seen = calloc((size_t)n + 1, sizeof *seen);
    uint32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    *out = NULL;
    if (seen == NULL || queue == NULL) {
        free(seen);
        free(queue);
        return ap_error_nomem(err);
    }
#define TOUCH(v) do { if (!seen[v]) { seen[v] = true; queue[tail++] = (v); } } while (0)
    for (size_t i = 0; i < opts->nrevoke_nodes; i++)
        TOUCH(opts->revoke_nodes[i]);
    for (size_t i = 0; i < opts->nrevoke_edges; i++) {
        TOUCH(ap_graph_edge(g, opts->revoke_edges[i])->from);
        if (ends)
            TOUCH(ap_graph_edge(g, opts->revoke_edges[i])->to);
    }
    for (size_t i = 0; i < opts->ngrants; i++) {
        TOUCH(opts->grants[i].from);
        if (ends)
            TOUCH(opts->grants[i].to);
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (ends || (e->live && (e->traversable || e->escalates)))
                TOUCH(e->from);
        }
    }
#undef TOUCH
    free(queue);
    *out = seen;
    return AP_OK;
}

int ap_whatif_compute(ap_whatif **out, const ap_graph *g, uint32_t partner,
                      const ap_whatif_opts *opts, ap_error *err)
{
    bool *touched = NULL;
    ap_whatif *w = calloc(1, sizeof *w);
    const ap_weights *weights = opts->weights;
    ap_weights defaults;
    int rc;
    *out = NULL;
    if (w == NULL)
        return ap_error_nomem(err);
    ap_weights_default(&defaults);
    if (weights == NULL)
        weights = opts->policy != NULL ? &opts->policy->weights : &defaults;
    w->partner = partner;
    ap_graph_edit edit = { opts->revoke_edges, opts->nrevoke_edges, opts->grants, opts->ngrants,
                           opts->revoke_nodes, opts->nrevoke_nodes };
    if ((rc = ap_graph_derive(&w->changed, g, &edit, err)) < 0)
        goto fail;
    if ((rc = touched_nodes(&touched, g, opts, false, err)) < 0)
        goto fail;
    touched[partner] = true;
    if ((rc = compare_all(w, g, touched, weights, err)) < 0)
        goto fail;
    free(touched);
    if ((rc = touched_nodes(&touched, g, opts, true, err)) < 0)
        goto fail;
    touched[partner] = true;
    uint64_t rerun = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        rerun += touched[v] && ap_graph_node(g, v)->kind == AP_KIND_PARTNER;
    if (rerun * ap_graph_node_count(g) > AP_WHATIF_FINDINGS_BUDGET)
        w->findings_skipped = (uint32_t)rerun;          /* said, not guessed */
    if ((rc = readiness(w, opts->policy, err)) < 0
        || (w->findings_skipped == 0
            && (rc = ap_whatif__findings(w, g, opts->policy, touched, err)) < 0)
        || (rc = breaks(w, g, opts, err)) < 0)
        goto fail;
    free(touched);
    touched = NULL;
    /* by test, each test's issues in the order found (grants, then path order) */
    if (w->nissues > 1) {
        ap_readiness_issue *tmp = malloc(w->nissues * sizeof *tmp);
        uint32_t k = 0;
        if (tmp == NULL) {
            rc = ap_error_nomem(err);
            goto fail;
        }
        for (int t = 0; t < AP_READY_COUNT; t++)
            for (uint32_t i = 0; i < w->nissues; i++)
                if (w->issues[i].test == (ap_readiness_test)t)
                    tmp[k++] = w->issues[i];
        memcpy(w->issues, tmp, w->nissues * sizeof *tmp);
        free(tmp);
    }
    *out = w;
    return AP_OK;
fail:
    free(touched);
    ap_whatif_free(w);
    return rc;
}
