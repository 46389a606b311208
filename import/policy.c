/* import/policy.c: the policy file (--policy FILE, JSON or YAML): the score weights now, the
 * findings thresholds and waivers as they come. Errors name the file and the offending key. */
#include <string.h>

#include <jansson.h>

#include "import_internal.h"

static int weight_of(const json_t *v, int *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
        return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

int ap_policy_load_weights(ap_weights *w, const char *path, const ap_vocab *vocab, ap_error *err)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *weights, *v;
    const char *key;
    int rc = AP_OK;
    if (doc == NULL)
        return ap_error_at(err, AP_EINPUT, path, (unsigned)(je.line > 0 ? je.line : 0),
                           (unsigned)(je.column > 0 ? je.column : 0), "bad policy file: %s",
                           je.text);
    weights = json_object_get(doc, "weights");
    json_object_foreach(json_object_get(weights, "sensitivity"), key, v) {
        ap_sensitivity s = ap_sensitivity_parse(key);
        if (s == AP_SENS_NONE) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "policy: unknown sensitivity '%s' in "
                             "weights (expected one of %s)", key, AP_SENS_NAMES);
            goto cleanup;
        }
        if (weight_of(v, &w->sens_weight[s]) < 0) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "policy: the weight of '%s' must be a "
                             "whole number from 0 to 1000000", key);
            goto cleanup;
        }
    }
    json_object_foreach(json_object_get(weights, "rights"), key, v) {
        int bit = ap_vocab_find(vocab, key);
        if (bit < 0) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "policy: unknown right '%s' in weights",
                             key);
            goto cleanup;
        }
        if (weight_of(v, &w->right_weight[bit]) < 0) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "policy: the weight of '%s' must be a "
                             "whole number from 0 to 1000000", key);
            goto cleanup;
        }
    }
cleanup:
    json_decref(doc);
    return rc;
}
