/* query/render/csv_export.c: the whole snapshot as native CSV (nodes, edges, the custom rights;
 * list fields joined by '|'), which `authpath import` reads back, through the table writer. */
#include <stdlib.h>
#include <string.h>

#include "authpath/render.h"
#include "export_internal.h"

/* A cell: strings as they are, lists of primitives joined by '|', anything else as JSON. */
static char *cell(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return strdup("");
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_array(v)) {
        size_t len = 1, i;
        char *out;
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *x = json_array_get(v, i);
            if (!json_is_string(x))
                break;
            len += strlen(json_string_value(x)) + 1;
        }
        if (i == json_array_size(v) && (out = malloc(len)) != NULL) {
            out[0] = '\0';
            for (i = 0; i < json_array_size(v); i++) {
                if (i > 0)
                    strcat(out, "|");
                strcat(out, json_string_value(json_array_get(v, i)));
            }
            return out;
        }
    }
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Column names: fixed ones first, then every other key of objs, sorted. */
static int columns(json_t **objs, size_t n, const char *const *fixed, size_t nfixed,
                   char ***out, size_t *ncols)
{
    json_t *seen = json_object();
    const char *key;
    json_t *v;
    size_t k = 0;
    if (seen == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        json_object_foreach(objs[i], key, v)
            json_object_set_new(seen, key, json_true());
    for (size_t f = 0; f < nfixed; f++)
        json_object_del(seen, fixed[f]);
    if ((*out = calloc(json_object_size(seen) + nfixed, sizeof **out)) == NULL) {
        json_decref(seen);
        return -1;
    }
    for (size_t f = 0; f < nfixed; f++)
        (*out)[k++] = strdup(fixed[f]);
    json_object_foreach(seen, key, v)
        (*out)[k++] = strdup(key);
    json_decref(seen);
    *ncols = k;
    for (size_t i = 0; i < k; i++)
        if ((*out)[i] == NULL)
            return -1;
    for (size_t i = nfixed + 1; i < k; i++)        /* sorted after the fixed columns */
        for (size_t j = i; j > nfixed && strcmp((*out)[j - 1], (*out)[j]) > 0; j--) {
            char *t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    return 0;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        free(s[i]);
    free(s);
}

/* Write rows (objects keyed by column name) as one CSV file. */
static int write_rows(FILE *out, json_t **rows, size_t n, const char *const *fixed,
                      size_t nfixed, ap_error *err)
{
    char **cols = NULL, **cells = NULL;
    size_t ncols = 0;
    ap_table *t = NULL;
    int rc;
    if (columns(rows, n, fixed, nfixed, &cols, &ncols) < 0
        || (cells = calloc(ncols, sizeof *cells)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if ((rc = ap_table_new(&t, ncols, (const char *const *)cols, err)) < 0)
        goto cleanup;
    for (size_t r = 0; r < n; r++) {
        for (size_t c = 0; c < ncols; c++)
            if ((cells[c] = cell(json_object_get(rows[r], cols[c]))) == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
        rc = ap_table_add(t, (const char *const *)cells, err);
        for (size_t c = 0; c < ncols; c++) {
            free(cells[c]);
            cells[c] = NULL;
        }
        if (rc < 0)
            goto cleanup;
    }
    rc = ap_table_write_csv(t, out, err);
cleanup:
    for (size_t c = 0; cells != NULL && c < ncols; c++)
        free(cells[c]);
    free(cells);
    free_strings(cols, ncols);
    ap_table_free(t);
    return rc;
}

/* The inventory's own rights (the built-ins need no declaration), one per row. */
static int write_rights(FILE *out, const ap_graph *g, ap_error *err)
{
    static const char *const header[] = { "right" };
    const ap_vocab *v = ap_graph_vocab(g);
    ap_table *t = NULL;
    int rc;
    if ((rc = ap_table_new(&t, 1, header, err)) < 0)
        return rc;
    for (unsigned b = AP_R_BUILTIN; rc == AP_OK && b < v->count; b++)
        rc = ap_table_add(t, &v->names[b], err);
    if (rc == AP_OK)
        rc = ap_table_write_csv(t, out, err);
    ap_table_free(t);
    return rc;
}

int ap_render_csv_pair(FILE *nodes, FILE *edges, FILE *rights, const ap_graph *g,
                       ap_error *err)
{
    static const char *const node_fixed[] = { "id", "kind" };
    static const char *const edge_fixed[] = { "id", "from", "to", "kind", "rights", "requires",
                                              "escalates" };
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    json_t **rows = calloc((n > m ? n : m) + 1, sizeof *rows);
    int rc = AP_OK;
    if (rows == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if ((rows[v] = ap_render__node_attrs(g, v)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        json_object_set_new(rows[v], "id", json_string(nd->id));
        json_object_set_new(rows[v], "kind", json_string(ap_kind_name(nd->kind)));
    }
    if ((rc = write_rows(nodes, rows, n, node_fixed, 2, err)) < 0)
        goto cleanup;
    for (uint32_t v = 0; v < n; v++) {
        json_decref(rows[v]);
        rows[v] = NULL;
    }
    for (uint32_t i = 0; i < m; i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        if ((rows[i] = ap_render__edge_fields(g, i)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        json_object_set_new(rows[i], "from", json_string(ap_graph_node(g, e->from)->id));
        json_object_set_new(rows[i], "to", json_string(ap_graph_node(g, e->to)->id));
        json_object_set_new(rows[i], "kind", json_string(ap_edge_kind_name(e->kind)));
    }
    if ((rc = write_rows(edges, rows, m, edge_fixed, 7, err)) == AP_OK && rights != NULL)
        rc = write_rights(rights, g, err);
cleanup:
    for (uint32_t i = 0; i < (n > m ? n : m); i++)
        json_decref(rows[i]);
    free(rows);
    return rc;
}
