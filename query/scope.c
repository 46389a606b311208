/* query/scope.c: a partner's declared scope, read from its `scope` attribute (or the policy's
 * `scopes`), and the test that places each reached target inside or outside it. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "authpath/scope.h"
#include "query_internal.h"

void ap_scope_free(ap_scope *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nresources; i++)
        free(s->resources[i]);
    for (size_t i = 0; i < s->nenvironments; i++)
        free(s->environments[i]);
    for (size_t i = 0; i < s->njurisdictions; i++)
        free(s->jurisdictions[i]);
    free(s->resources);
    free(s->environments);
    free(s->jurisdictions);
    free(s);
}

/* A list field (or one string) copied into *list; *has says it was declared. */
static int strings(const json_t *v, char ***list, size_t *n, bool *has)
{
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    *has = v != NULL;
    if (v == NULL)
        return AP_OK;
    if ((*list = calloc(count + 1, sizeof **list)) == NULL)
        return AP_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        const char *s = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
        if (s == NULL)
            continue;                   /* the readers refuse these: nothing to do here */
        if (((*list)[(*n)++] = strdup(s)) == NULL)
            return AP_ENOMEM;
    }
    return AP_OK;
}

static int64_t time_of(const json_t *v)
{
    int64_t t;
    return json_is_string(v) && ap_time_parse(json_string_value(v), &t) ? t : AP_TIME_NONE;
}

static const char *policy_scope(const ap_policy *policy, const char *id)
{
    size_t lo = 0, hi = policy != NULL ? policy->nscopes : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(policy->scopes[mid].partner, id);
        if (c == 0)
            return policy->scopes[mid].scope;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int ap_scope_of(ap_scope **out, const ap_graph *g, uint32_t v, const ap_policy *policy,
                ap_error *err)
{
    json_t *attrs = json_loads(ap_graph_node(g, v)->attrs, 0, NULL), *doc = NULL;
    const json_t *sc = json_object_get(attrs, "scope");
    const char *text;
    ap_scope *s = NULL;
    int rc = AP_ENOMEM;
    *out = NULL;
    if (!json_is_object(sc) && (text = policy_scope(policy, ap_graph_node(g, v)->id)) != NULL)
        sc = doc = json_loads(text, 0, NULL);
    if (!json_is_object(sc)) {
        rc = AP_OK;
        goto cleanup;
    }
    if ((s = calloc(1, sizeof *s)) == NULL)
        goto cleanup;
    s->max_sensitivity = json_is_string(json_object_get(sc, "max_sensitivity"))
        ? ap_sensitivity_parse(json_string_value(json_object_get(sc, "max_sensitivity")))
        : AP_SENS_NONE;
    s->from = time_of(json_object_get(sc, "from"));
    s->until = time_of(json_object_get(sc, "until"));
    if (strings(json_object_get(sc, "resources"), &s->resources, &s->nresources,
                &s->has_resources) < 0
        || strings(json_object_get(sc, "environments"), &s->environments, &s->nenvironments,
                   &s->has_environments) < 0
        || strings(json_object_get(sc, "jurisdictions"), &s->jurisdictions, &s->njurisdictions,
                   &s->has_jurisdictions) < 0)
        goto cleanup;
    {
        char **names = NULL;
        size_t nnames = 0;
        if (strings(json_object_get(sc, "rights"), &names, &nnames, &s->has_rights) < 0) {
            free(names);
            goto cleanup;
        }
        for (size_t i = 0; i < nnames; i++) {
            int bit = strcmp(names[i], "all") == 0 ? -2 : ap_vocab_find(ap_graph_vocab(g),
                                                                         names[i]);
            if (bit == -2)
                s->rights = AP_RIGHTS_ALL;
            else if (bit >= 0)
                s->rights |= (ap_rights)1 << bit;
            free(names[i]);
        }
        free(names);
    }
    *out = s;
    s = NULL;
    rc = AP_OK;
cleanup:
    if (rc == AP_ENOMEM)
        ap_error_nomem(err);
    ap_scope_free(s);
    json_decref(doc);
    json_decref(attrs);
    return rc;
}

static bool listed(char *const *list, size_t n, const char *value)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], value) == 0)
            return true;
    return false;
}

unsigned ap_scope_outside(const ap_scope *s, const ap_graph *g, uint32_t v, ap_rights r,
                          int64_t at)
{
    const ap_node *n = ap_graph_node(g, v);
    if (s == NULL || r == 0 || (n->kind != AP_KIND_RESOURCE && n->kind != AP_KIND_WORKFLOW))
        return 0;
    return ap_query__scope_outside_node(s, g, v, at) | ap_query__scope_outside_rights(s, g, r);
}

unsigned ap_query__scope_outside_rights(const ap_scope *s, const ap_graph *g, ap_rights r)
{
    return s->has_rights && (r & ~s->rights & ap_vocab_all(ap_graph_vocab(g))) != 0
           ? AP_SCOPE_RIGHTS : 0;
}

unsigned ap_query__scope_outside_node(const ap_scope *s, const ap_graph *g, uint32_t v,
                                      int64_t at)
{
    const ap_node *n = ap_graph_node(g, v);
    unsigned why = 0;
    if (s->has_resources) {
        const char *name = ap_graph_node_str(g, v, "name");
        size_t i = 0;
        while (i < s->nresources && fnmatch(s->resources[i], n->id, 0) != 0
               && (name == NULL || fnmatch(s->resources[i], name, 0) != 0))
            i++;
        if (i == s->nresources)
            why |= AP_SCOPE_RESOURCE;
    }
    if (s->max_sensitivity != AP_SENS_NONE) {
        ap_sensitivity sens = n->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : n->sensitivity;
        if (sens > s->max_sensitivity)
            why |= AP_SCOPE_SENSITIVITY;
    }
    if (s->has_environments) {
        const char *env = ap_graph_node_str(g, v, "environment");
        if (env != NULL && env[0] != '\0' && !listed(s->environments, s->nenvironments, env))
            why |= AP_SCOPE_ENVIRONMENT;
    }
    if (s->has_jurisdictions) {
        const char *j = ap_graph_node_str(g, v, "jurisdiction");
        if (j != NULL && j[0] != '\0' && !listed(s->jurisdictions, s->njurisdictions, j))
            why |= AP_SCOPE_JURISDICTION;
    }
    if ((s->from != AP_TIME_NONE && at < s->from) || (s->until != AP_TIME_NONE && at >= s->until))
        why |= AP_SCOPE_WINDOW;
    return why;
}

int ap_scope_count(int64_t *out, const ap_graph *g, uint32_t partner, const ap_policy *policy,
                   ap_error *err)
{
    ap_scope *s = NULL;
    int rc;
    *out = -1;
    if ((rc = ap_scope_of(&s, g, partner, policy, err)) < 0 || s == NULL)
        return rc;
    rc = ap_query__scope_count_with(out, g, partner, s, err);
    ap_scope_free(s);
    return rc;
}

int ap_query__scope_count_with(int64_t *out, const ap_graph *g, uint32_t partner,
                               const ap_scope *s, ap_error *err)
{
    ap_authority *a = NULL;
    int rc;
    if ((rc = ap_authority_compute(&a, g, partner, err)) == AP_OK) {
        *out = 0;
        for (uint32_t k = 0; k < a->nreach; k++)
            *out += ap_scope_outside(s, g, a->reach[k], a->rights[a->reach[k]],
                                     ap_graph_at(g)) != 0;
    }
    ap_authority_free(a);
    return rc;
}

const char *ap_scope_reason_name(ap_scope_reason reason)
{
    switch (reason) {
    case AP_SCOPE_RESOURCE: return "resource";
    case AP_SCOPE_SENSITIVITY: return "sensitivity";
    case AP_SCOPE_RIGHTS: return "rights";
    case AP_SCOPE_ENVIRONMENT: return "environment";
    case AP_SCOPE_JURISDICTION: return "jurisdiction";
    case AP_SCOPE_WINDOW: return "window";
    }
    return "?";
}
