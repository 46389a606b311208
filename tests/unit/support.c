/* tests/unit/support.c: shared helpers for the cmocka tests (see support.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "support.h"
#include "authpath/query.h"
#include "../../graph/graph_internal.h"

int ap_test_store_setup(void **state)
{
    ap_store *st = NULL;
    ap_error err;
    ap_igraph_init();
    if (ap_store_open(&st, ":memory:", &err) < 0) {
        fprintf(stderr, "store: %s\n", err.msg);
        return -1;
    }
    *state = st;
    return 0;
}

int ap_test_store_teardown(void **state)
{
    ap_store_close(*state);
    return 0;
}

const char *ap_test_write_temp(const char *name, const char *text)
{
    static char path[512];
    const char *dir = getenv("TMPDIR");
    FILE *f;
    snprintf(path, sizeof path, "%s/ap_test_%ld_%s", dir != NULL ? dir : "/tmp",
             (long)getpid(), name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

int ap_test_import(ap_store *st, const char *path, ap_error *err)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    int64_t snap;
    memset(err, 0, sizeof *err);
    return ap_import_files(st, &path, 1, &opts, &snap, err);
}

int ap_test_import_opts(ap_store *st, const char *const *paths, size_t n, ap_import_opts *opts,
                        ap_error *err)
{
    int64_t snap;
    memset(err, 0, sizeof *err);
    opts->created = 1767225600;
    return ap_import_files(st, paths, n, opts, &snap, err);
}

ap_rights ap_test_reach(const ap_graph *g, const char *source, const char *target,
                        uint32_t *hops)
{
    int64_t s = ap_graph_find(g, source), t = ap_graph_find(g, target);
    ap_authority *a = NULL;
    ap_error err;
    ap_rights r;
    if (s < 0)
        fail_msg("no node '%s'", source);
    if (t < 0)
        fail_msg("no node '%s'", target);
    if (ap_authority_compute(&a, g, (uint32_t)s, &err) != AP_OK)
        fail_msg("authority of '%s': %s", source, err.msg);
    r = a->rights[t];
    if (hops != NULL)
        *hops = a->hops[t];
    ap_authority_free(a);
    return r;
}

ap_graph *ap_test_graph(ap_store *st, int64_t at)
{
    ap_graph *g = NULL;
    ap_error err;
    int rc = ap_graph_load(&g, st, 0, at, &err);
    if (rc != AP_OK)
        fail_msg("graph load: %s", err.msg);
    return g;
}

ap_graph *ap_test_load_json(char *json, int64_t at, const char *tag, uint64_t seed,
                            ap_store **st)
{
    ap_error err;
    char name[96];
    snprintf(name, sizeof name, "%s_%llu.json", tag, (unsigned long long)seed);
    const char *path = ap_test_write_temp(name, json);
    free(json);
    assert_int_equal(ap_store_open(st, ":memory:", &err), AP_OK);
    if (ap_test_import(*st, path, &err) != AP_OK)
        fail_msg("seed %llu: import failed: %s:%u:%u: %s", (unsigned long long)seed, err.file,
                 err.line, err.col, err.msg);
    remove(path);
    return ap_test_graph(*st, at);
}

long ap_test_count(ap_store *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long n = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

const char *ap_test_store_state(ap_store *st)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "snapshot=%ld node=%ld edge=%ld source=%ld vocab=%ld",
             ap_test_count(st, "SELECT count(*) FROM snapshot"),
             ap_test_count(st, "SELECT count(*) FROM node"),
             ap_test_count(st, "SELECT count(*) FROM edge"),
             ap_test_count(st, "SELECT count(*) FROM source"),
             ap_test_count(st, "SELECT count(*) FROM vocab"));
    return buf;
}

void ap_test_expect_error(ap_store *st, const char *const *paths, size_t n,
                          ap_error_list *more, const char *file, unsigned line, unsigned col,
                          const char *msg)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600, .more = more };
    ap_error err;
    int64_t snap = 0;
    memset(&err, 0, sizeof err);
    assert_int_equal(ap_import_files(st, paths, n, &opts, &snap, &err), AP_EINPUT);
    assert_int_equal(err.code, AP_EINPUT);
    assert_string_equal(err.msg, msg);
    assert_string_equal(err.file, file);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
}

int ap_test_store_with(void **state, const char *fixture)
{
    ap_error err;
    if (ap_test_store_setup(state) != 0)
        return -1;
    if (ap_test_import(*state, fixture, &err) != AP_OK) {
        fprintf(stderr, "import %s: %s\n", fixture, err.msg);
        return -1;
    }
    return 0;
}

int ap_test_usage(ap_store *st, const char *path, ap_usage_report *rep, ap_error *err)
{
    ap_import_opts o = { .format = AP_FORMAT_AUTO, .usage = rep };
    const char *paths[1] = { path };
    return ap_test_import_opts(st, paths, 1, &o, err);
}

const ap_finding *ap_test_only_finding(const ap_findings *f, const char *rule, size_t *count)
{
    size_t hit = SIZE_MAX;
    *count = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++)
        if (strcmp(ap_findings_peek(f, i)->rule->id, rule) == 0) {
            hit = i;
            (*count)++;
        }
    return hit != SIZE_MAX ? ap_findings_get(f, hit) : NULL;  /* its evidence: the last read */
}

void ap_test_same_arrivals(const ap_authority *w, const ap_authority *r, uint32_t v,
                           const char *what)
{
    if (w->rights[v] != r->rights[v] || w->hops[v] != r->hops[v])
        fail_msg("%s: node %u holds %llx in %u hops, the other run %llx in %u", what, v,
                 (unsigned long long)w->rights[v], w->hops[v], (unsigned long long)r->rights[v],
                 r->hops[v]);
    if (w->rights[v] == 0)
        return;
    for (uint32_t c = 0; c < w->nclasses; c++) {
        const ap_arrival *x = &w->arrivals[(size_t)w->row[v] * w->nclasses + c];
        const ap_arrival *y = &r->arrivals[(size_t)r->row[v] * r->nclasses + c];
        if (x->round != y->round || x->edge != y->edge || x->len != y->len)
            fail_msg("%s: the arrival of class %u at node %u differs", what, c, v);
    }
}

char *ap_test_with_sensitivity(char *json, uint64_t seed, const char *const *names, size_t n,
                               size_t step)
{
    json_t *root = json_loads(json, 0, NULL), *nd;
    size_t i;
    assert_non_null(root);
    free(json);
    json_array_foreach(json_object_get(root, "nodes"), i, nd) {
        const char *kind = json_string_value(json_object_get(nd, "kind"));
        if (strcmp(kind, "resource") == 0 || strcmp(kind, "workflow") == 0)
            json_object_set_new(nd, "sensitivity", json_string(names[(i * step + seed) % n]));
    }
    json = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return json;
}
