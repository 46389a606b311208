/* import/policy.c: the policy file (--policy FILE, JSON or YAML): score weights, findings
 * thresholds, severity overrides and waivers. Errors name the file and the offending key; syntax
 * errors also the line and column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "import_internal.h"

#define DAY ((int64_t)86400)

void ap_policy_default(ap_policy *p)
{
    static const int review_days[AP_SENS_COUNT] = { 365, 365, 180, 90, 30 };
    memset(p, 0, sizeof *p);
    ap_weights_default(&p->weights);
    p->credential_max_lifetime = 90 * DAY;
    p->dormant_after = 90 * DAY;
    for (int s = 0; s < AP_SENS_COUNT; s++)
        p->review_every[s] = review_days[s] * DAY;
}

void ap_policy_clear(ap_policy *p)
{
    for (size_t i = 0; i < p->noverrides; i++)
        free(p->overrides[i].rule);
    for (size_t i = 0; i < p->nwaivers; i++) {
        free(p->waivers[i].rule);
        free(p->waivers[i].subject);
        free(p->waivers[i].owner);
        free(p->waivers[i].reason);
    }
    free(p->overrides);
    free(p->waivers);
    ap_policy_default(p);
}

typedef struct {
    const char *path;
    ap_error *err;
} loader;

static int bad(const loader *l, const char *fmt, const char *a, const char *b)
{
    char msg[200];
    snprintf(msg, sizeof msg, fmt, a, b);
    return ap_error_at(l->err, AP_EINPUT, l->path, 0, 0, "policy: %s", msg);
}

/* Every key of obj must be one of names (a NULL-terminated list). */
static int known_keys(const loader *l, const json_t *obj, const char *where,
                      const char *const *names)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return bad(l, "'%s' must be an object%s", where, "");
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (names[i] != NULL && strcmp(names[i], key) != 0)
            i++;
        if (names[i] == NULL)
            return bad(l, "unknown key '%s' in '%s'", key, where);
    }
    return AP_OK;
}

static int whole(const loader *l, const json_t *v, const char *key, long long max, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return bad(l, "'%s' must be a whole number from 0 to %s", key,
                   max == 1000000 ? "1000000" : "36500");
    *out = json_integer_value(v);
    return AP_OK;
}

static int load_weights(const loader *l, const json_t *weights, ap_weights *w,
                        const ap_vocab *vocab)
{
    static const char *const keys[] = { "sensitivity", "rights", NULL };
    const char *key;
    json_t *v;
    int64_t x = 0;
    int rc;
    if (weights == NULL)
        return AP_OK;
    if ((rc = known_keys(l, weights, "weights", keys)) < 0)
        return rc;
    json_object_foreach(json_object_get(weights, "sensitivity"), key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE)
            return bad(l, "unknown sensitivity '%s' in weights (expected one of %s)", key,
                       AP_SENS_NAMES);
        if ((rc = whole(l, v, key, 1000000, &x)) < 0)
            return rc;
        w->sens_weight[s] = (int)x;
    }
    json_object_foreach(json_object_get(weights, "rights"), key, v) {
        int bit = ap_vocab_find(vocab, key);
        if (bit < 0)
            return bad(l, "unknown right '%s' in weights%s", key, "");
        if ((rc = whole(l, v, key, 1000000, &x)) < 0)
            return rc;
        w->right_weight[bit] = (int)x;
    }
    return AP_OK;
}

static int load_thresholds(const loader *l, const json_t *th, ap_policy *p)
{
    static const char *const keys[] = { "credential_max_lifetime_days", "dormant_days",
                                        "review_days", NULL };
    const json_t *v;
    const char *key;
    int64_t days = 0;
    int rc;
    if (th == NULL)
        return AP_OK;
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
    json_object_foreach(json_object_get(th, "review_days"), key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE)
            return bad(l, "unknown sensitivity '%s' in review_days (expected one of %s)", key,
                       AP_SENS_NAMES);
        if ((rc = whole(l, v, key, 36500, &days)) < 0)
            return rc;
        p->review_every[s] = days * DAY;
    }
    return AP_OK;
}

static int known_rule(const loader *l, const char *id, const char *where)
{
    if (ap_rule_find(id) == NULL)
        return bad(l, "unknown rule '%s' in '%s' (see authpath rules)", id, where);
    return AP_OK;
}

static int load_severity(const loader *l, const json_t *sev, ap_policy *p)
{
    const char *key;
    json_t *v;
    int rc;
    if (sev == NULL)
        return AP_OK;
    if (!json_is_object(sev))
        return bad(l, "'%s' must be an object%s", "severity", "");
    if ((p->overrides = calloc(json_object_size(sev) + 1, sizeof *p->overrides)) == NULL)
        return ap_error_nomem(l->err);
    json_object_foreach((json_t *)sev, key, v) {
        ap_severity s = ap_severity_parse(json_string_value(v));
        if ((rc = known_rule(l, key, "severity")) < 0)
            return rc;
        if (s == AP_SEV_NONE)
            return bad(l, "the severity of '%s' must be one of %s", key, AP_SEV_NAMES);
        if ((p->overrides[p->noverrides].rule = strdup(key)) == NULL)
            return ap_error_nomem(l->err);
        p->overrides[p->noverrides++].severity = s;
    }
    return AP_OK;
}

/* A required, non-empty string field of waiver i, copied into *out. */
static int waiver_str(const loader *l, const json_t *w, const char *key, const char *where,
                      char **out)
{
    const char *s = json_string_value(json_object_get(w, key));
    if (s == NULL || s[0] == '\0')
        return bad(l, "%s: '%s' is required (a non-empty string)", where, key);
    if ((*out = strdup(s)) == NULL)
        return ap_error_nomem(l->err);
    return AP_OK;
}

static int load_waivers(const loader *l, const json_t *list, ap_policy *p)
{
    static const char *const keys[] = { "rule", "subject", "owner", "reason", "expires", NULL };
    size_t i;
    json_t *w;
    int rc;
    if (list == NULL)
        return AP_OK;
    if (!json_is_array(list))
        return bad(l, "'%s' must be a list%s", "waivers", "");
    if ((p->waivers = calloc(json_array_size(list) + 1, sizeof *p->waivers)) == NULL)
        return ap_error_nomem(l->err);
    json_array_foreach(list, i, w) {
        ap_waiver *wv = &p->waivers[p->nwaivers++];
        const char *exp = json_string_value(json_object_get(w, "expires"));
        char where[32];
        snprintf(where, sizeof where, "waivers[%zu]", i);
        if ((rc = known_keys(l, w, where, keys)) < 0
            || (rc = waiver_str(l, w, "rule", where, &wv->rule)) < 0
            || (rc = known_rule(l, wv->rule, where)) < 0
            || (rc = waiver_str(l, w, "subject", where, &wv->subject)) < 0
            || (rc = waiver_str(l, w, "owner", where, &wv->owner)) < 0
            || (rc = waiver_str(l, w, "reason", where, &wv->reason)) < 0)
            return rc;
        /* an open-ended waiver is how accepted risk is forgotten: an expiry is required */
        if (exp == NULL || !ap_time_parse(exp, &wv->expires))
            return bad(l, "%s: 'expires' is required (a date, YYYY-MM-DD)%s", where, "");
    }
    return AP_OK;
}

/* A policy is a few lines: anything beyond this is not one. */
#define POLICY_MAX_BYTES ((size_t)16 << 20)

/* The whole file as text (*out owns it, NUL-terminated). */
static int read_text(char **out, size_t *len, const char *path, ap_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t n = 0, cap = 0;
    int rc = AP_OK;
    *out = NULL;
    if (f == NULL)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *p = realloc(text, cap = (n + 4096 + 1) * 2);
            if (p == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            text = p;
        }
        size_t got = fread(text + n, 1, cap - n - 1, f);
        n += got;
        if (n > POLICY_MAX_BYTES) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "not a policy file: larger than %zu "
                             "MiB", POLICY_MAX_BYTES >> 20);
            goto cleanup;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    text[n] = '\0';
    *out = text;
    *len = n;
    text = NULL;
cleanup:
    free(text);
    fclose(f);
    return rc;
}

/* JSON (a document that starts with '{') through jansson, anything else through the YAML
 * reader the inventories use. *out owns the document. */
static int parse(json_t **out, const char *path, ap_error *err)
{
    char *text = NULL;
    size_t len = 0, i = 0;
    int rc;
    *out = NULL;
    if ((rc = read_text(&text, &len, path, err)) < 0)
        return rc;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)     /* a UTF-8 byte order mark */
        i = 3;
    size_t start = i;
    while (i < len && strchr(" \t\r\n", text[i]) != NULL && text[i] != '\0')
        i++;
    if (i < len && text[i] == '{') {
        json_error_t je;
        if ((*out = json_loadb(text + start, len - start, JSON_REJECT_DUPLICATES, &je)) == NULL)
            rc = ap_error_at(err, AP_EINPUT, path, (unsigned)(je.line > 0 ? je.line : 0),
                             (unsigned)(je.column > 0 ? je.column : 0), "bad policy file: %s",
                             je.text);
    } else {
        rc = ap_import__yaml_to_json(text + start, len - start, path, out, err);
    }
    free(text);
    return rc;
}

int ap_policy_load(ap_policy *p, const char *path, const ap_vocab *vocab, ap_error *err)
{
    static const char *const keys[] = { "weights", "thresholds", "severity", "waivers", NULL };
    loader l = { path, err };
    json_t *doc = NULL;
    int rc;
    if ((rc = parse(&doc, path, err)) < 0)
        return rc;
    if ((rc = known_keys(&l, doc, "the policy", keys)) < 0
        || (rc = load_weights(&l, json_object_get(doc, "weights"), &p->weights, vocab)) < 0
        || (rc = load_thresholds(&l, json_object_get(doc, "thresholds"), p)) < 0
        || (rc = load_severity(&l, json_object_get(doc, "severity"), p)) < 0
        || (rc = load_waivers(&l, json_object_get(doc, "waivers"), p)) < 0)
        ap_policy_clear(p);
    json_decref(doc);
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
