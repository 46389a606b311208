/* import/aws_vendors.c: the public list of vendors' AWS accounts (fwdcloudsec known_aws_accounts:
 * a YAML sequence of {name, accounts: [ids], source, type}) as an account id -> name map. */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "import_internal.h"

/* Walk the events: in each top-level mapping remember 'name' and the scalars of 'accounts'. */
typedef struct {
    int depth;              /* 1: the sequence, 2: a vendor's mapping, 3: a list in it */
    char key[32];           /* the key whose value comes next, at depth 2 */
    int expect_value;
    char name[256];
    json_t *pending;        /* account ids of the current vendor */
} walk;

static int finish_vendor(json_t *out, walk *w)
{
    for (size_t i = 0; i < json_array_size(w->pending); i++) {
        const char *id = json_string_value(json_array_get(w->pending, i));
        if (w->name[0] != '\0' && json_object_get(out, id) == NULL
            && json_object_set_new(out, id, json_string(w->name)) < 0)
            return AP_ENOMEM;
    }
    json_array_clear(w->pending);
    w->name[0] = '\0';
    return AP_OK;
}

static int on_scalar(walk *w, const char *value)
{
    if (w->depth == 2 && !w->expect_value) {
        snprintf(w->key, sizeof w->key, "%s", value);
        w->expect_value = 1;
        return AP_OK;
    }
    if (w->depth == 2) {
        if (strcmp(w->key, "name") == 0)
            ap_import__label(w->name, sizeof w->name, "%s", value);     /* a label */
        w->expect_value = 0;
        return AP_OK;
    }
    if (w->depth == 3 && strcmp(w->key, "accounts") == 0)
        return json_array_append_new(w->pending, json_string(value)) < 0 ? AP_ENOMEM : AP_OK;
    return AP_OK;
}

int ap_import__aws_vendors(json_t **out, const char *path, ap_error *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    walk w;
    FILE *f = NULL;
    json_t *map = NULL;
    int rc = AP_OK, done = 0;
    *out = NULL;
    memset(&w, 0, sizeof w);
    if ((f = fopen(path, "rb")) == NULL)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read the list of vendors' AWS "
                           "accounts");
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return ap_error_nomem(err);
    }
    yaml_parser_set_input_file(&parser, f);
    map = json_object();
    w.pending = json_array();
    if (map == NULL || w.pending == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = ap_error_at(err, AP_EINPUT, path, (unsigned)parser.problem_mark.line + 1,
                             (unsigned)parser.problem_mark.column + 1, "invalid YAML: %s",
                             parser.problem != NULL ? parser.problem : "syntax error");
            goto cleanup;
        }
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            w.depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (w.depth == 3 || (w.depth == 2 && ev.type == YAML_MAPPING_END_EVENT))
                w.expect_value = 0;
            if (w.depth == 2 && ev.type == YAML_MAPPING_END_EVENT)
                rc = finish_vendor(map, &w);
            w.depth--;
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&w, (const char *)ev.data.scalar.value);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    *out = map;
    map = NULL;
cleanup:
    json_decref(map);
    json_decref(w.pending);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
