/* query/render/csv_export.c: the whole snapshot as native CSV (nodes, edges, the custom rights;
 * list fields joined by '|'), which `authpath import` reads back, a row at a time. */
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

/* The rows of a file, built one at a time (a row of the graph's nodes or edges as an object
 * keyed by column name; NULL: out of memory): memory follows one row, not the graph. */
typedef json_t *(*row_fn)(const ap_graph *g, uint32_t i);

/* Column names: fixed ones first, then every other key of the n rows, sorted. */
static int columns(const ap_graph *g, row_fn row, uint32_t n, const char *const *fixed,
                   size_t nfixed, char ***out, size_t *ncols)
{
    json_t *seen = json_object(), *x, *v;
    const char *key;
    size_t k = 0;
    if (seen == NULL)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if ((x = row(g, i)) == NULL) {
            json_decref(seen);
            return -1;
        }
        json_object_foreach(x, key, v)
            json_object_set_new(seen, key, json_true());
        json_decref(x);
    }
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

/* Write the n rows as one CSV file: a pass for the columns, a second one for the cells, each
 * row built, written and freed in turn. */
static int write_rows(FILE *out, const ap_graph *g, row_fn row, uint32_t n,
                      const char *const *fixed, size_t nfixed, ap_error *err)
{
    char **cols = NULL, **cells = NULL;
    size_t ncols = 0;
    json_t *x = NULL;
    int rc;
    if (columns(g, row, n, fixed, nfixed, &cols, &ncols) < 0
        || (cells = calloc(ncols, sizeof *cells)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if ((rc = ap_csv_write_row(out, (const char *const *)cols, ncols, err)) < 0)
        goto cleanup;
    for (uint32_t r = 0; r < n; r++) {
        if ((x = row(g, r)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        for (size_t c = 0; c < ncols; c++)
            if ((cells[c] = cell(json_object_get(x, cols[c]))) == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
        rc = ap_csv_write_row(out, (const char *const *)cells, ncols, err);
        for (size_t c = 0; c < ncols; c++) {
            free(cells[c]);
            cells[c] = NULL;
        }
        json_decref(x);
        x = NULL;
        if (rc < 0)
            goto cleanup;
    }
cleanup:
    json_decref(x);
    for (size_t c = 0; cells != NULL && c < ncols; c++)
        free(cells[c]);
    free(cells);
    free_strings(cols, ncols);
    return rc;
}

static json_t *node_row(const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    json_t *x = ap_render__node_attrs(g, v);
    if (x == NULL)
        return NULL;
    json_object_set_new(x, "id", json_string(nd->id));
    json_object_set_new(x, "kind", json_string(ap_kind_name(nd->kind)));
    return x;
}

static json_t *edge_row(const ap_graph *g, uint32_t i)
{
    const ap_edge *e = ap_graph_edge(g, i);
    json_t *x = ap_render__edge_fields(g, i);
    if (x == NULL)
        return NULL;
    json_object_set_new(x, "from", json_string(ap_graph_node(g, e->from)->id));
    json_object_set_new(x, "to", json_string(ap_graph_node(g, e->to)->id));
    json_object_set_new(x, "kind", json_string(ap_edge_kind_name(e->kind)));
    return x;
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
    int rc;
    if ((rc = write_rows(nodes, g, node_row, ap_graph_node_count(g), node_fixed, 2, err)) < 0
        || (rc = write_rows(edges, g, edge_row, ap_graph_edge_count(g), edge_fixed, 7, err)) < 0)
        return rc;
    return rights != NULL ? write_rights(rights, g, err) : AP_OK;
}
