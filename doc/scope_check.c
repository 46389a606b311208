/* doc/scope_check.c: the shape of a declared scope (a node's `scope` attribute, or an entry
 * of a policy's `scopes`): which fields it may have and of which types. Readers share it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authpath/model.h"
#include "doc.h"

static const char *const scope_fields[] = {
    "resources", "max_sensitivity", "rights", "environments", "jurisdictions", "from", "until",
    NULL
};
#define SCOPE_FIELD_NAMES "resources, max_sensitivity, rights, environments, jurisdictions, " \
                          "from, until"

/* A list of non-empty strings (or one string, taken as a list of one). */
static int string_list(const json_t *v, const char *field, ap_scope_bad_fn bad, void *ctx)
{
    int n = 0;
    if (json_is_string(v))
        return json_string_length(v) == 0 ? bad(ctx, field, AP_NO_ITEM, "must not be empty") : 0;
    if (!json_is_array(v))
        return bad(ctx, field, AP_NO_ITEM, "must be a list of strings");
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        if (!json_is_string(item))
            n += bad(ctx, field, i, "must be a string");
        else if (json_string_length(item) == 0)
            n += bad(ctx, field, i, "must not be empty");
    }
    return n;
}

int ap_doc_scope_check(const json_t *v, ap_scope_bad_fn bad, void *ctx)
{
    const char *key;
    json_t *val;
    int n = 0;
    int64_t from = AP_TIME_NONE, until = AP_TIME_NONE;
    if (!json_is_object(v))
        return bad(ctx, NULL, AP_NO_ITEM, "must be an object with any of " SCOPE_FIELD_NAMES);
    json_object_foreach((json_t *)v, key, val) {
        size_t i = 0;
        char msg[256];
        while (scope_fields[i] != NULL && strcmp(scope_fields[i], key) != 0)
            i++;
        if (scope_fields[i] == NULL) {
            char shown[64];
            ap_doc_quote(shown, sizeof shown, key);
            snprintf(msg, sizeof msg, "unknown field '%s' (expected one of %s)", shown,
                     SCOPE_FIELD_NAMES);
            n += bad(ctx, NULL, AP_NO_ITEM, msg);
        } else if (strcmp(key, "max_sensitivity") == 0) {
            if (!json_is_string(val) || ap_sensitivity_parse(json_string_value(val)) < 0)
                n += bad(ctx, key, AP_NO_ITEM, "must be one of " AP_SENS_NAMES);
        } else if (strcmp(key, "from") == 0 || strcmp(key, "until") == 0) {
            int64_t t;
            if (!json_is_string(val) || !ap_time_parse(json_string_value(val), &t))
                n += bad(ctx, key, AP_NO_ITEM,
                         "must be a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
            else if (key[0] == 'f')
                from = t;
            else
                until = t;
        } else {
            n += string_list(val, key, bad, ctx);
        }
    }
    if (n == 0 && from != AP_TIME_NONE && until != AP_TIME_NONE && until <= from)
        n += bad(ctx, "until", AP_NO_ITEM, "must come after 'from'");
    return n;
}
