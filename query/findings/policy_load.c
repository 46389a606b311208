/* query/findings/policy_load.c: reading the policy file (--policy FILE, JSON or YAML) into the
 * policy the findings use (policy.c: its defaults): score weights, findings thresholds, severity
 * overrides, scopes and waivers. Every error names the file, and the line and column of the
 * offending value (or of the key it lacks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "findings_internal.h"
#include "../../doc/doc.h"

#define DAY ((int64_t)86400)

/* The value being read is at steps at[0..depth) from the document's root. */
#define POLICY_DEPTH 4

typedef struct {
    const char *path;
    ap_error *err;
    const ap_posdoc *doc;
    ap_step at[POLICY_DEPTH];
    size_t depth;
} loader;

/* Into a mapping's key; out again (an error returns at once: its place stays). */
static void in_key(loader *l, const char *key)
{
    if (l->depth < POLICY_DEPTH)
        l->at[l->depth] = (ap_step){ key, 0 };
    l->depth++;
}

static void in_index(loader *l, size_t index)
{
    if (l->depth < POLICY_DEPTH)
        l->at[l->depth] = (ap_step){ NULL, index };
    l->depth++;
}

static void out(loader *l)
{
    l->depth--;
}

/* An error about the value being read, at its line and column. */
static int bad(const loader *l, const char *fmt, const char *a, const char *b)
{
    char msg[200];
    unsigned line, col;
    snprintf(msg, sizeof msg, fmt, a, b);
    ap_posdoc_where(l->doc, l->at, l->depth < POLICY_DEPTH ? l->depth : POLICY_DEPTH, &line,
                    &col);
    return ap_error_at(l->err, AP_EINPUT, l->path, line, col, "policy: %s", msg);
}

/* The value being read is an object whose every key is one of names (NULL-terminated). */
static int known_keys(loader *l, const json_t *obj, const char *where, const char *const *names)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return bad(l, "'%s' must be an object%s", where, "");
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (names[i] != NULL && strcmp(names[i], key) != 0)
            i++;
        if (names[i] == NULL) {
            in_key(l, key);
            return bad(l, "unknown key '%s' in '%s'", key, where);
        }
    }
    return AP_OK;
}

/* The value of key in the object being read, a whole number from 0 to max. */
static int whole(loader *l, const json_t *v, const char *key, long long max, int64_t *out_)
{
    in_key(l, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return bad(l, "'%s' must be a whole number from 0 to %s", key,
                   max == 1000000 ? "1000000" : "36500");
    *out_ = json_integer_value(v);
    out(l);
    return AP_OK;
}

/* Key sub of the object being read, when present, must be an object: entered (*sub set) or
 * not (NULL, nothing entered). */
static int enter_object(loader *l, const json_t *obj, const char *key, const json_t **sub)
{
    *sub = json_object_get(obj, key);
    if (*sub == NULL)
        return AP_OK;
    in_key(l, key);
    if (!json_is_object(*sub))
        return bad(l, "'%s' must be an object%s", key, "");
    return AP_OK;
}

static int load_weights(loader *l, const json_t *weights, ap_weights *w, const ap_vocab *vocab)
{
    static const char *const keys[] = { "sensitivity", "rights", NULL };
    const json_t *sub;
    const char *key;
    json_t *v;
    int64_t x = 0;
    int rc;
    if (weights == NULL)
        return AP_OK;
    in_key(l, "weights");
    if ((rc = known_keys(l, weights, "weights", keys)) < 0
        || (rc = enter_object(l, weights, "sensitivity", &sub)) < 0)
        return rc;
    json_object_foreach((json_t *)sub, key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE) {
            in_key(l, key);
            return bad(l, "unknown sensitivity '%s' in weights (expected one of %s)", key,
                       AP_SENS_NAMES);
        }
        if ((rc = whole(l, v, key, 1000000, &x)) < 0)
            return rc;
        w->sens_weight[s] = (int)x;
    }
    if (sub != NULL)
        out(l);
    if ((rc = enter_object(l, weights, "rights", &sub)) < 0)
        return rc;
    json_object_foreach((json_t *)sub, key, v) {
        int bit = ap_vocab_find(vocab, key);
        if (bit < 0) {
            in_key(l, key);
            return bad(l, "unknown right '%s' in weights%s", key, "");
        }
        if ((rc = whole(l, v, key, 1000000, &x)) < 0)
            return rc;
        w->right_weight[bit] = (int)x;
    }
    if (sub != NULL)
        out(l);
    out(l);
    return AP_OK;
}

static int load_thresholds(loader *l, const json_t *th, ap_policy *p)
{
    static const char *const keys[] = { "credential_max_lifetime_days", "dormant_days",
                                        "review_days", "rotation_days", NULL };
    const json_t *v, *sub;
    const char *key;
    int64_t days = 0;
    int rc;
    if (th == NULL)
        return AP_OK;
    in_key(l, "thresholds");
    if ((rc = known_keys(l, th, "thresholds", keys)) < 0)
        return rc;
    if ((v = json_object_get(th, "credential_max_lifetime_days")) != NULL) {
        if ((rc = whole(l, v, "credential_max_lifetime_days", 36500, &days)) < 0)
            return rc;
        p->credential_max_lifetime = days * DAY;
    }
    if ((v = json_object_get(th, "dormant_days")) != NULL) {
        if ((rc = whole(l, v, "dormant_days", 36500, &days)) < 0)
            return rc;
        p->dormant_after = days * DAY;
    }
    if ((rc = enter_object(l, th, "review_days", &sub)) < 0)
        return rc;
    json_object_foreach((json_t *)sub, key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE) {
            in_key(l, key);
            return bad(l, "unknown sensitivity '%s' in review_days (expected one of %s)", key,
                       AP_SENS_NAMES);
        }
        if ((rc = whole(l, v, key, 36500, &days)) < 0)
            return rc;
        p->review_every[s] = days * DAY;
    }
    if (sub != NULL)
        out(l);
    if ((rc = enter_object(l, th, "rotation_days", &sub)) < 0)
        return rc;
    json_object_foreach((json_t *)sub, key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE) {
            in_key(l, key);
            return bad(l, "unknown sensitivity '%s' in rotation_days (expected one of %s)", key,
                       AP_SENS_NAMES);
        }
        if ((rc = whole(l, v, key, 36500, &days)) < 0)
            return rc;
        p->rotate_every[s] = days * DAY;
    }
    if (sub != NULL)
        out(l);
    out(l);
    return AP_OK;
}

/* The first problem of a scope, placed at its field (or at the scope). */
typedef struct {
    char msg[200];
    const char *field;
    size_t item;
    int n;
} scope_problem;

static int scope_bad(void *vctx, const char *field, size_t item, const char *msg)
{
    scope_problem *sp = vctx;
    if (sp->n++ == 0) {
        snprintf(sp->msg, sizeof sp->msg, "%s", msg);
        sp->field = field;
        sp->item = item;
    }
    return 1;
}

static int cmp_scope(const void *a, const void *b)
{
    return strcmp(((const ap_policy_scope *)a)->partner, ((const ap_policy_scope *)b)->partner);
}

static int load_scopes(loader *l, const json_t *scopes, ap_policy *p)
{
    const char *key;
    json_t *v;
    if (scopes == NULL)
        return AP_OK;
    in_key(l, "scopes");
    if (!json_is_object(scopes))
        return bad(l, "'%s' must be an object of partner ids%s", "scopes", "");
    if ((p->scopes = calloc(json_object_size(scopes) + 1, sizeof *p->scopes)) == NULL)
        return ap_error_nomem(l->err);
    json_object_foreach((json_t *)scopes, key, v) {
        scope_problem sp = { "", NULL, AP_NO_ITEM, 0 };
        ap_policy_scope *ps = &p->scopes[p->nscopes++];
        char what[180];
        in_key(l, key);
        if (ap_doc_scope_check(v, scope_bad, &sp) > 0) {
            if (sp.field != NULL)
                in_key(l, sp.field);
            if (sp.field != NULL && sp.item != AP_NO_ITEM)
                in_index(l, sp.item);
            snprintf(what, sizeof what, "scope of '%s': %s%s%s", key,
                     sp.field != NULL ? "'" : "", sp.field != NULL ? sp.field : "",
                     sp.field != NULL ? "' " : "");
            return bad(l, "%s%s", what, sp.msg);
        }
        if ((ps->partner = strdup(key)) == NULL
            || (ps->scope = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
            return ap_error_nomem(l->err);
        out(l);
    }
    qsort(p->scopes, p->nscopes, sizeof *p->scopes, cmp_scope);
    out(l);
    return AP_OK;
}

static int known_rule(const loader *l, const char *id, const char *where)
{
    if (ap_rule_find(id) == NULL)
        return bad(l, "unknown rule '%s' in '%s' (see authpath rules)", id, where);
    return AP_OK;
}

static int load_severity(loader *l, const json_t *sev, ap_policy *p)
{
    const char *key;
    json_t *v;
    int rc;
    if (sev == NULL)
        return AP_OK;
    in_key(l, "severity");
    if (!json_is_object(sev))
        return bad(l, "'%s' must be an object%s", "severity", "");
    if ((p->overrides = calloc(json_object_size(sev) + 1, sizeof *p->overrides)) == NULL)
        return ap_error_nomem(l->err);
    json_object_foreach((json_t *)sev, key, v) {
        ap_severity s = ap_severity_parse(json_string_value(v));
        in_key(l, key);
        if ((rc = known_rule(l, key, "severity")) < 0)
            return rc;
        if (s == AP_SEV_NONE)
            return bad(l, "the severity of '%s' must be one of %s", key, AP_SEV_NAMES);
        if ((p->overrides[p->noverrides].rule = strdup(key)) == NULL)
            return ap_error_nomem(l->err);
        p->overrides[p->noverrides++].severity = s;
        out(l);
    }
    out(l);
    return AP_OK;
}

/* A required, non-empty string field of the waiver being read, copied into *out_. Missing,
 * it is the waiver's error; not a string, the field's. */
static int waiver_str(loader *l, const json_t *w, const char *key, const char *where,
                      char **out_)
{
    const json_t *v = json_object_get(w, key);
    const char *s = json_string_value(v);
    if (v != NULL)
        in_key(l, key);
    if (s == NULL || s[0] == '\0')
        return bad(l, "%s: '%s' is required (a non-empty string)", where, key);
    if ((*out_ = strdup(s)) == NULL)
        return ap_error_nomem(l->err);
    out(l);
    return AP_OK;
}

static int load_waivers(loader *l, const json_t *list, ap_policy *p)
{
    static const char *const keys[] = { "rule", "subject", "owner", "reason", "expires", NULL };
    size_t i;
    json_t *w;
    int rc;
    if (list == NULL)
        return AP_OK;
    in_key(l, "waivers");
    if (!json_is_array(list))
        return bad(l, "'%s' must be a list%s", "waivers", "");
    if ((p->waivers = calloc(json_array_size(list) + 1, sizeof *p->waivers)) == NULL)
        return ap_error_nomem(l->err);
    json_array_foreach(list, i, w) {
        ap_waiver *wv = &p->waivers[p->nwaivers++];
        const json_t *exp = json_object_get(w, "expires");
        char where[32];
        snprintf(where, sizeof where, "waivers[%zu]", i);
        in_index(l, i);
        if ((rc = known_keys(l, w, where, keys)) < 0
            || (rc = waiver_str(l, w, "rule", where, &wv->rule)) < 0)
            return rc;
        in_key(l, "rule");
        if ((rc = known_rule(l, wv->rule, where)) < 0)
            return rc;
        out(l);
        if ((rc = waiver_str(l, w, "subject", where, &wv->subject)) < 0
            || (rc = waiver_str(l, w, "owner", where, &wv->owner)) < 0
            || (rc = waiver_str(l, w, "reason", where, &wv->reason)) < 0)
            return rc;
        /* an open-ended waiver is how accepted risk is forgotten: an expiry is required */
        if (exp != NULL)
            in_key(l, "expires");
        if (!json_is_string(exp) || !ap_time_parse(json_string_value(exp), &wv->expires))
            return bad(l, "%s: 'expires' is required (a date, YYYY-MM-DD)%s", where, "");
        if (exp != NULL)
            out(l);
        out(l);
    }
    out(l);
    return AP_OK;
}

/* A policy is a few lines: anything beyond this is not one. */
#define POLICY_MAX_BYTES ((size_t)16 << 20)

int ap_policy_load(ap_policy *p, const char *path, const ap_vocab *vocab, ap_error *err)
{
    static const char *const keys[] = { "weights", "thresholds", "severity", "waivers", "scopes",
                                        NULL };
    loader l = { path, err, NULL, { { NULL, 0 } }, 0 };
    ap_posdoc *doc = NULL;
    const json_t *root = NULL;
    int rc;
    if ((rc = ap_posdoc_load(&doc, &root, path, POLICY_MAX_BYTES, "a policy file", err)) < 0)
        return rc;
    l.doc = doc;
    if ((rc = known_keys(&l, root, "the policy", keys)) < 0
        || (rc = load_weights(&l, json_object_get(root, "weights"), &p->weights, vocab)) < 0
        || (rc = load_thresholds(&l, json_object_get(root, "thresholds"), p)) < 0
        || (rc = load_severity(&l, json_object_get(root, "severity"), p)) < 0
        || (rc = load_waivers(&l, json_object_get(root, "waivers"), p)) < 0
        || (rc = load_scopes(&l, json_object_get(root, "scopes"), p)) < 0)
        ap_policy_clear(p);
    ap_posdoc_free(doc);
    return rc;
}

int ap_policy_load_weights(ap_weights *w, const char *path, const ap_vocab *vocab, ap_error *err)
{
    ap_policy p;
    int rc;
    ap_policy_default(&p);
    p.weights = *w;
    if ((rc = ap_policy_load(&p, path, vocab, err)) == AP_OK)
        *w = p.weights;
    ap_policy_clear(&p);
    return rc;
}
