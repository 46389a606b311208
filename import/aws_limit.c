/* import/aws_limit.c: what an Allow statement really grants once explicit Deny statements and a
 * permissions boundary are applied, and what NotAction leaves, computed per action over the
 * action table (aws_actions.c); what cannot be computed is kept and counted as approximated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"

#define APPROX_PARTIAL "approximated: a Deny or boundary covers part of a wildcard on a service " \
                       "outside the action table (the wildcard is kept whole)"

static bool any_glob(const json_t *patterns, const char *s, bool nocase)
{
    for (size_t i = 0; i < json_array_size(patterns); i++)
        if (ap_aws__glob(json_string_value(json_array_get(patterns, i)), s, nocase))
            return true;
    return false;
}

/* Does a statement name this action (Action, or NotAction's complement)? */
static bool names_action(const json_t *st, const char *action)
{
    json_t *list = NULL;
    bool not = json_object_get(st, "NotAction") != NULL, hit;
    if (ap_aws__list(&list, json_object_get(st, not ? "NotAction" : "Action"), JSON_STRING) < 0)
        return false;
    hit = any_glob(list, action, true);
    json_decref(list);
    return not ? !hit : hit;
}

/* The part of resource pattern r a statement's Resource covers: r itself, a narrower pattern
 * of the statement's, or NULL. */
static const char *covered(const json_t *st, const char *r)
{
    const json_t *res = json_object_get(st, "Resource");
    const char *narrower = NULL;
    json_t *list = NULL;
    if (ap_aws__list(&list, res, JSON_STRING) < 0)
        return NULL;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *q = json_string_value(json_array_get(list, i));
        if (ap_aws__glob(q, r, false)) {
            json_decref(list);
            return r;
        }
        if (narrower == NULL && ap_aws__glob(r, q, false))
            narrower = json_string_value(json_array_get(res, json_is_array(res) ? i : 0));
    }
    if (narrower == NULL && json_is_string(res) && ap_aws__glob(r, json_string_value(res), false))
        narrower = json_string_value(res);
    json_decref(list);
    return narrower;
}

static bool denied(const aws *a, const char *action, const char *r)
{
    for (size_t i = 0; a->limit != NULL && i < json_array_size(a->limit->deny); i++) {
        const json_t *st = json_array_get(a->limit->deny, i);
        if (names_action(st, action) && covered(st, r) == r)
            return true;
    }
    return false;
}

/* The resource the boundary lets this action reach within r (r, narrower, or NULL). */
static const char *bounded(const aws *a, const char *action, const char *r)
{
    if (a->limit == NULL || a->limit->boundary == NULL)
        return r;
    for (size_t i = 0; i < json_array_size(a->limit->boundary); i++) {
        const json_t *st = json_array_get(a->limit->boundary, i);
        const char *rr;
        if (names_action(st, action) && (rr = covered(st, r)) != NULL)
            return rr;
    }
    return NULL;
}

/* The actions of table service svc a statement's patterns pick (or leave, not_action). */
static int table_service(aws *a, const void *g, const ap_aws_service *svc, const json_t *acts,
                         bool not_action, const char *r, ap_aws_emit emit)
{
    size_t total = 0, picked = 0, kept = 0;
    char full[160];
    const char *rr;
    int rc = AP_OK;
    for (size_t i = 0; svc->actions[i] != NULL; i++) {
        snprintf(full, sizeof full, "%s:%s", svc->name, svc->actions[i]);
        total++;
        if (any_glob(acts, full, true) == not_action)
            continue;
        picked++;
        if (!denied(a, full, r) && bounded(a, full, r) == r)
            kept++;
    }
    if (picked == 0)
        return AP_OK;
    if (kept == total) {        /* the whole service, as one pattern */
        snprintf(full, sizeof full, "%s:*", svc->name);
        return emit(a, g, full, r);
    }
    for (size_t i = 0; rc >= 0 && svc->actions[i] != NULL; i++) {
        snprintf(full, sizeof full, "%s:%s", svc->name, svc->actions[i]);
        if (any_glob(acts, full, true) == not_action || denied(a, full, r)
            || (rr = bounded(a, full, r)) == NULL)
            continue;
        rc = emit(a, g, full, rr);
    }
    return rc;
}

static bool in_table(const char *action)
{
    char svc[AWS_FIELD_SIZE];
    ap_aws__service(action, svc, sizeof svc);
    return ap_aws__service_actions(svc) != NULL;
}

static bool wild_service(const char *action)
{
    const char *colon = strchr(action, ':');
    size_t n = colon != NULL ? (size_t)(colon - action) : strlen(action);
    return memchr(action, '*', n) != NULL || memchr(action, '?', n) != NULL;
}

/* Can two action patterns of one service name a common action? Their literal beginnings (up
 * to the first wildcard) must agree as far as both go, and two literals must be equal. */
static bool may_overlap(const char *p, const char *q)
{
    const char *x = strchr(p, ':') != NULL ? strchr(p, ':') + 1 : p;
    const char *y = strchr(q, ':') != NULL ? strchr(q, ':') + 1 : q;
    size_t lx = strcspn(x, "*?"), ly = strcspn(y, "*?");
    if (x[lx] == '\0' && y[ly] == '\0')
        return strcasecmp(x, y) == 0;
    return strncasecmp(x, y, lx < ly ? lx : ly) == 0;
}

/* A pattern of one service outside the table, on r, through the limit. */
static int outside(aws *a, const void *g, const char *p, const char *r, ap_aws_emit emit)
{
    char ps[AWS_FIELD_SIZE], ds[AWS_FIELD_SIZE];
    bool partial = false;
    ap_aws__service(p, ps, sizeof ps);
    for (size_t i = 0; a->limit != NULL && i < json_array_size(a->limit->deny); i++) {
        const json_t *st = json_array_get(a->limit->deny, i);
        json_t *list = NULL;
        if (names_action(st, p) && covered(st, r) == r && !wild_service(p)
            && json_object_get(st, "NotAction") == NULL) {
            /* a deny pattern covering p: does it cover every action p does? */
            if (ap_aws__list(&list, json_object_get(st, "Action"), JSON_STRING) == AP_OK) {
                for (size_t k = 0; k < json_array_size(list); k++)
                    if (ap_aws__glob(json_string_value(json_array_get(list, k)), p, true)) {
                        json_decref(list);
                        return AP_OK;   /* the whole pattern is denied */
                    }
                json_decref(list);
            }
        }
        if (ap_aws__list(&list, json_object_get(st, "Action"), JSON_STRING) == AP_OK)
            for (size_t k = 0; k < json_array_size(list); k++) {
                const char *d = json_string_value(json_array_get(list, k));
                ap_aws__service(d, ds, sizeof ds);
                if ((strcmp(ds, ps) == 0 || strcmp(d, "*") == 0) && may_overlap(d, p)
                    && covered(st, r) != NULL)
                    partial = true;
            }
        json_decref(list);
    }
    if (partial)
        ap_aws__note(a, APPROX_PARTIAL);
    if (a->limit != NULL && a->limit->boundary != NULL) {
        for (size_t i = 0; i < json_array_size(a->limit->boundary); i++) {
            const json_t *st = json_array_get(a->limit->boundary, i);
            const char *rr = covered(st, r);
            json_t *list = NULL;
            if (rr == NULL)
                continue;
            if (names_action(st, p))
                return emit(a, g, p, rr);
            if (ap_aws__list(&list, json_object_get(st, "Action"), JSON_STRING) < 0)
                continue;
            for (size_t k = 0; k < json_array_size(list); k++) {
                const char *b = json_string_value(json_array_get(list, k));
                if (ap_aws__glob(p, b, true)) {     /* the boundary names a narrower part */
                    int rc = emit(a, g, b, rr);
                    if (rc < 0) {
                        json_decref(list);
                        return rc;
                    }
                }
            }
            json_decref(list);
        }
        return AP_OK;
    }
    return emit(a, g, p, r);
}

/* Every action of every service outside the table, on r: one pattern per the resource's
 * service (or "other:*" on "*"), through the limit. */
static int others(aws *a, const void *g, const char *r, ap_aws_emit emit)
{
    char svc[AWS_FIELD_SIZE], p[AWS_FIELD_SIZE + 4];
    if (strcmp(r, "*") != 0 && ap_aws__arn_field(r, 2, svc, sizeof svc) && svc[0] != '\0'
        && strchr(svc, '*') == NULL) {
        if (ap_aws__service_actions(svc) != NULL)
            return AP_OK;       /* the table part had it */
        snprintf(p, sizeof p, "%s:*", svc);
        return outside(a, g, p, r, emit);
    }
    if (denied(a, "other:*", r))
        return AP_OK;
    if (a->limit != NULL && a->limit->boundary != NULL && bounded(a, "other:*", r) == NULL) {
        /* the boundary names services: each outside the table, as it names it */
        for (size_t i = 0; i < json_array_size(a->limit->boundary); i++) {
            const json_t *st = json_array_get(a->limit->boundary, i);
            json_t *list = NULL;
            if (covered(st, r) == NULL
                || ap_aws__list(&list, json_object_get(st, "Action"), JSON_STRING) < 0)
                continue;
            for (size_t k = 0; k < json_array_size(list); k++) {
                const char *b = json_string_value(json_array_get(list, k));
                int rc = in_table(b) || wild_service(b) ? AP_OK : outside(a, g, b, r, emit);
                if (rc < 0) {
                    json_decref(list);
                    return rc;
                }
            }
            json_decref(list);
        }
        return AP_OK;
    }
    return emit(a, g, "other:*", r);
}

int ap_aws__limited_actions(aws *a, const void *g, const json_t *actions, bool not_action,
                            const char *r, ap_aws_emit emit)
{
    bool rest = not_action;
    int rc = AP_OK;
    for (size_t s = 0; rc >= 0 && ap_aws__services[s].name != NULL; s++)
        rc = table_service(a, g, &ap_aws__services[s], actions, not_action, r, emit);
    for (size_t i = 0; rc >= 0 && i < json_array_size(actions); i++) {
        const char *p = json_string_value(json_array_get(actions, i));
        if (wild_service(p))
            rest = true;
        else if (!in_table(p) && not_action)
            ap_aws__note(a, "approximated: NotAction names a service outside the action table "
                            "(its actions are counted as allowed)");
        else if (!in_table(p))
            rc = outside(a, g, p, r, emit);
    }
    if (rc >= 0 && rest)
        rc = others(a, g, r, emit);
    return rc;
}

/* ---- A principal's limit ---- */

typedef struct {
    json_t *list;               /* [docv, pos, name|null, via|null, shared]: via, the policy or
                                 * group whose member_of edge it came through */
    json_t *groups;             /* the principal's groups */
} sources;

/* A document the principal's statements come from; shared (a managed policy's, a group's) when
 * it is read for its own node too. */
static int add_source(sources *s, const json_t *docv, size_t pos, const char *name,
                      const char *via, bool shared)
{
    json_t *x = json_pack("[O, I, s?, s?, i]", docv, (json_int_t)pos, name, via, (int)shared);
    return x != NULL && json_array_append_new(s->list, x) == 0 ? AP_OK : AP_ENOMEM;
}

static int inline_sources(aws *a, sources *s, const json_t *e, size_t pos, const char *key,
                          bool shared)
{
    const json_t *list = json_object_get(e, key);
    size_t lpos = ap_json__find_key(&a->t, pos, key);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        size_t ppos = ap_json__find_index(&a->t, lpos, i);
        if (json_object_get(p, "PolicyDocument") == NULL)
            continue;           /* reported by the unlimited path's checks */
        if (add_source(s, json_object_get(p, "PolicyDocument"),
                       ap_json__find_key(&a->t, ppos, "PolicyDocument"),
                       ap_aws__str(p, "PolicyName"), NULL, shared) < 0)
            return AP_ENOMEM;
    }
    return AP_OK;
}

static int attached_sources(aws *a, sources *s, const json_t *e, const char *via_group)
{
    json_t *list = NULL;
    int rc = AP_OK;
    if (ap_aws__list(&list, json_object_get(e, "AttachedManagedPolicies"), JSON_OBJECT) < 0)
        return AP_OK;           /* reported by the unlimited path */
    for (size_t i = 0; rc == AP_OK && i < json_array_size(list); i++) {
        const char *arn = ap_aws__str(json_array_get(list, i), "PolicyArn");
        const json_t *doc = arn != NULL ? json_object_get(a->documents, arn) : NULL;
        if (doc == NULL)
            continue;           /* unresolved: grants nothing known */
        rc = add_source(s, doc, (size_t)json_integer_value(json_object_get(a->doc_pos, arn)),
                        ap_aws__str(json_array_get(list, i), "PolicyName"),
                        via_group != NULL ? via_group : arn, true);
    }
    json_decref(list);
    return rc;
}

/* The Deny statements of a document into lim->deny; its Allow ones into allow (when set). */
static int collect(aws *a, const json_t *docv, size_t pos, aws_limit *lim, json_t *allow)
{
    json_t *doc = NULL, *sts = NULL;
    char why[200];
    /* quietly: a malformed document is reported once, where its statements are read */
    int rc = ap_aws__doc(&doc, docv, why, sizeof why);
    (void)pos;
    if (rc == AP_OK && ap_aws__list(&sts, json_object_get(doc, "Statement"), JSON_OBJECT) < 0)
        rc = AP_EINPUT;
    for (size_t i = 0; rc >= 0 && i < json_array_size(sts); i++) {
        json_t *st = json_array_get(sts, i);
        const char *eff = ap_aws__str(st, "Effect");
        if (eff != NULL && strcmp(eff, "Allow") == 0) {
            if (allow != NULL && json_object_get(st, "NotResource") != NULL)
                ap_aws__note(a, "approximated: boundary statement with NotResource counted "
                                "for every resource");
            if (allow != NULL && json_array_append(allow, st) < 0)
                rc = AP_ENOMEM;
            continue;
        }
        if (eff == NULL || strcmp(eff, "Deny") != 0)
            continue;
        if (json_object_get(st, "Condition") != NULL) {
            ap_aws__note(a, "approximated: Deny with a Condition not applied (it may not hold)");
            continue;
        }
        if (json_object_get(st, "NotResource") != NULL) {
            ap_aws__note(a, "approximated: Deny with NotResource not applied");
            continue;
        }
        if (json_array_append(lim->deny, st) < 0)
            rc = AP_ENOMEM;
    }
    json_decref(sts);
    json_decref(doc);
    return rc == AP_EINPUT ? AP_OK : rc;
}

int ap_aws__read_limited(aws *a, const char *holder, const json_t *e, size_t pos, bool user,
                         bool *limited)
{
    sources s = { json_array(), json_array() };
    aws_limit lim = { json_array(), NULL };
    const json_t *pb = json_object_get(e, "PermissionsBoundary");
    int rc = AP_OK;
    *limited = false;
    if (s.list == NULL || s.groups == NULL || lim.deny == NULL) {
        rc = AP_ENOMEM;
        goto cleanup;
    }
    /* where the principal's statements come from: its own, its policies', its groups' */
    if ((rc = inline_sources(a, &s, e, pos, user ? "UserPolicyList" : "RolePolicyList",
                              false)) < 0
        || (rc = attached_sources(a, &s, e, NULL)) < 0)
        goto cleanup;
    if (user) {
        json_t *groups = NULL;
        char acct[32], key[600];
        ap_aws__arn_field(holder, 4, acct, sizeof acct);
        if (ap_aws__list(&groups, json_object_get(e, "GroupList"), JSON_STRING) == AP_OK)
            for (size_t i = 0; rc >= 0 && i < json_array_size(groups); i++) {
                const char *g;
                const json_t *ge;
                snprintf(key, sizeof key, "%s/group/%s", acct,
                         json_string_value(json_array_get(groups, i)));
                if ((g = json_string_value(json_object_get(a->by_name, key))) == NULL
                    || (ge = json_object_get(a->group_elems, g)) == NULL)
                    continue;
                size_t gpos = (size_t)json_integer_value(json_array_get(ge, 1));
                ge = json_array_get(ge, 0);
                if ((rc = inline_sources(a, &s, ge, gpos, "GroupPolicyList", true)) == AP_OK
                    && (rc = attached_sources(a, &s, ge, g)) == AP_OK)
                    rc = json_array_append_new(s.groups, json_string(g)) == 0 ? AP_OK
                                                                            : AP_ENOMEM;
            }
        json_decref(groups);
        if (rc < 0)
            goto cleanup;
    }
    for (size_t i = 0; rc >= 0 && i < json_array_size(s.list); i++) {
        const json_t *x = json_array_get(s.list, i);
        rc = collect(a, json_array_get(x, 0), (size_t)json_integer_value(json_array_get(x, 1)),
                     &lim, NULL);
    }
    if (rc < 0)
        goto cleanup;
    if (json_is_object(pb)) {
        const char *arn = ap_aws__str(pb, "PermissionsBoundaryArn");
        const json_t *doc = arn != NULL ? json_object_get(a->documents, arn) : NULL;
        ap_aws__at(a, pos);
        if (doc == NULL) {
            ap_aws__note(a, "approximated: permissions boundary whose document is not in the "
                            "file (not applied)");
        } else if ((lim.boundary = json_array()) == NULL
                   || (rc = collect(a, doc, (size_t)json_integer_value(
                                                json_object_get(a->doc_pos, arn)),
                                    &lim, lim.boundary)) < 0) {
            rc = rc < 0 ? rc : AP_ENOMEM;
            goto cleanup;
        }
    }
    if (json_array_size(lim.deny) == 0 && lim.boundary == NULL)
        goto cleanup;
    /* limited: every Allow statement read again for this principal alone, through the limit;
     * the shared policy and group nodes no longer pass anything to it */
    *limited = true;
    a->limit = &lim;
    for (size_t i = 0; rc >= 0 && i < json_array_size(s.list); i++) {
        const json_t *x = json_array_get(s.list, i);
        a->quiet = (int)json_integer_value(json_array_get(x, 4));
        rc = ap_aws__read_policy(a, holder, json_string_value(json_array_get(x, 2)),
                                 json_array_get(x, 0),
                                 (size_t)json_integer_value(json_array_get(x, 1)));
        a->quiet = 0;
        if (rc == AP_EINPUT)
            rc = AP_OK;
    }
    a->limit = NULL;
    for (size_t i = 0; rc >= 0 && i < json_array_size(s.list) + json_array_size(s.groups);
         i++) {
        const char *via = i < json_array_size(s.list)
                              ? json_string_value(json_array_get(json_array_get(s.list, i), 3))
                              : json_string_value(json_array_get(s.groups,
                                                                 i - json_array_size(s.list)));
        item *m;
        if (via == NULL)
            continue;
        if ((m = ap_aws__edge(a, holder, "member_of", via)) == NULL) {
            rc = AP_ENOMEM;
            break;
        }
        json_object_set_new(m->obj, "rights", json_string("none"));
        json_object_set_new(m->obj, "superseded", json_string(
            "Deny or permissions boundary applied: the principal's own access edges carry what "
            "this grants it"));
    }
    {
        item *h = ap_aws__find_item(&a->nodes, holder);
        if (h != NULL && json_array_size(lim.deny) > 0)
            json_object_set_new(h->obj, "deny_applied", json_true());
        if (h != NULL && lim.boundary != NULL)
            json_object_set_new(h->obj, "permissions_boundary_applied", json_true());
    }
cleanup:
    a->limit = NULL;
    json_decref(s.list);
    json_decref(s.groups);
    json_decref(lim.deny);
    json_decref(lim.boundary);
    return rc;
}
