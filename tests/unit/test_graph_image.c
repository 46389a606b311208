/* tests/unit/test_graph_image.c: the graph image written at import gives the graph the SQL rows
 * give, field for field, at any time, also loaded partially (records built as they are asked
 * for); a truncated, corrupt, stale or foreign image is not used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"
#include "../property/model.h"
#include "../../graph/image_format.h"

static char db_path[512], image_path[540];

static void set_paths(const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(db_path, sizeof db_path, "%s/ap_test_%ld_%s.db", dir != NULL ? dir : "/tmp",
             (long)getpid(), name);
    snprintf(image_path, sizeof image_path, "%s-graph", db_path);
    unlink(db_path);
    unlink(image_path);
}

static void remove_db(void)
{
    char side[560];
    unlink(db_path);
    unlink(image_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
}

/* A new database file at db_path with these files imported as one snapshot. */
static ap_store *import_file_db(const char *name, const char *const *paths, size_t n)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_store *st = NULL;
    ap_error err;
    set_paths(name);
    assert_int_equal(ap_store_open(&st, db_path, &err), AP_OK);
    sqlite3_exec(st->db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);    /* a test's speed */
    if (ap_test_import_opts(st, paths, n, &opts, &err) != AP_OK)
        fail_msg("import of %s: %s", paths[0], err.msg);
    return st;
}

static void assert_same_str(const char *a, const char *b)
{
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
}

/* Every field of every node and edge, the rows and the catalogue; a is read through the
 * accessors (a partial load builds its records there), edges in the order given (NULL: index
 * order), nodes as the edges name them and then all. */
/* Every field of two edges but their strings. */
static void assert_same_edge_fields(const ap_edge *x, const ap_edge *y)
{
    assert_int_equal(x->rights, y->rights);
    assert_int_equal(x->requires, y->requires);
    assert_int_equal(x->valid_from, y->valid_from);
    assert_int_equal(x->expires, y->expires);
    assert_int_equal(x->file, y->file);
    assert_int_equal(x->from, y->from);
    assert_int_equal(x->to, y->to);
    assert_int_equal(x->line, y->line);
    assert_int_equal(x->col, y->col);
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->state, y->state);
    assert_int_equal(x->escalates, y->escalates);
    assert_int_equal(x->declared, y->declared);
    assert_int_equal(x->traversable, y->traversable);
    assert_int_equal(x->own_live, y->own_live);
    assert_int_equal(x->live, y->live);
}

static void assert_same_graph_in(const ap_graph *a, const ap_graph *b, const uint32_t *order)
{
    assert_int_equal(a->snap, b->snap);
    assert_int_equal(a->at, b->at);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->m, b->m);
    for (uint32_t k = 0; k < a->m; k++) {
        uint32_t i = order != NULL ? order[k] : k;
        const ap_edge *x = ap_graph_edge(a, i), *y = &b->edges[i];
        assert_same_str(x->id, y->id);
        assert_same_str(x->attrs, y->attrs);
        assert_same_edge_fields(x, y);
        assert_int_equal(ap_graph_in_edge(a, i), b->in_edge[i]);
        assert_ptr_equal(ap_graph_edge(a, i), x);          /* built once, then kept */
    }
    for (uint32_t v = 0; v < a->n; v++) {
        const ap_node *x = ap_graph_node(a, v), *y = &b->nodes[v];
        assert_same_str(x->id, y->id);
        assert_same_str(x->attrs, y->attrs);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->valid_from, y->valid_from);
        assert_int_equal(x->expires, y->expires);
        assert_int_equal(x->sensitivity, y->sensitivity);
        assert_int_equal(x->live, y->live);
        assert_int_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        assert_ptr_equal(ap_graph_node(a, v), x);
    }
    for (uint32_t i = 0; a->in_from != NULL && i < a->m; i++)    /* a partial load's */
        assert_int_equal(a->in_from[i], b->edges[b->in_edge[i]].from);
    for (uint32_t v = 0; v <= a->n; v++) {
        assert_int_equal(a->off[v], b->off[v]);
        assert_int_equal(a->in_off[v], b->in_off[v]);
    }
    assert_int_equal(a->vocab.count, b->vocab.count);
    for (unsigned i = 0; i < a->vocab.count; i++)
        assert_same_str(a->vocab.names[i], b->vocab.names[i]);
    assert_int_equal(a->nsources, b->nsources);
    for (size_t i = 0; i < a->nsources; i++) {
        assert_int_equal(a->sources[i].id, b->sources[i].id);
        assert_same_str(a->sources[i].path, b->sources[i].path);
    }
}

static void assert_same_graph(const ap_graph *a, const ap_graph *b)
{
    assert_same_graph_in(a, b, NULL);
}

static bool from_image(const ap_graph *g)
{
    return strncmp(g->load_note, "the graph image", 15) == 0;
}

static bool is_partial(const ap_graph *g)
{
    return strstr(g->load_note, "(partial: ") != NULL;
}

/* A partial load (when from the image: records built on first use, rows in place) gives the
 * rows' graph whatever order its records are asked for in: edges backwards with a stride, or
 * everything at once after a few (ap_graph__full, as igraph and derived graphs need). */
static void check_partial(ap_store *st, int64_t at, bool image_expected, const ap_graph *sql)
{
    ap_graph *g = NULL;
    ap_error err;
    uint32_t *order = malloc(((size_t)sql->m + 1) * sizeof *order), k = 0;
    assert_non_null(order);
    for (uint32_t start = 0; start < 7 && start < sql->m; start++)
        for (uint32_t i = sql->m - 1 - start; i < sql->m; i -= 7) {
            order[k++] = i;
            if (i < 7)
                break;
        }
    assert_int_equal(k, sql->m);
    assert_int_equal(ap_graph_load_partial(&g, st, 0, at, &err), AP_OK);
    if (is_partial(g) != image_expected || (image_expected && !from_image(g)))
        fail_msg("%s: partial load from %s", db_path, g->load_note);
    if (image_expected) {
        assert_null(g->nodes);
        assert_null(g->edges);
        assert_int_equal(g->nodes_built, 0);
        assert_int_equal(g->edges_built, 0);
        assert_true(g->rows_mapped);
        assert_non_null(g->in_from);
    }
    assert_same_graph_in(g, sql, order);
    ap_graph_free(g);

    /* an edge's fields read in place (authority's rounds) are its record's but the strings,
     * and build no edge record */
    assert_int_equal(ap_graph_load_partial(&g, st, 0, at, &err), AP_OK);
    for (uint32_t i = 0; i < sql->m; i++) {
        ap_edge tmp;
        const ap_edge *got = ap_graph_edge_fields(g, order[i], &tmp);
        if (image_expected) {
            assert_ptr_equal(got, &tmp);
            assert_null(got->id);
            assert_null(got->attrs);
        } else {
            assert_same_str(got->id, sql->edges[order[i]].id);
        }
        assert_same_edge_fields(got, &sql->edges[order[i]]);
    }
    if (image_expected) {       /* nor a node record: the ends' liveness is read in place */
        assert_int_equal(g->edges_built, 0);
        assert_int_equal(g->nodes_built, 0);
    }
    ap_graph_free(g);

    /* a node's liveness read in place is its record's, and builds no node record; once built,
     * the record agrees */
    assert_int_equal(ap_graph_load_partial(&g, st, 0, at, &err), AP_OK);
    if (image_expected && sql->n > 0) {     /* the records of its block come with it */
        uint32_t v = sql->n / 2, checked = 0;
        uint64_t lo = (uint64_t)v * sizeof(img_node) / IMG_BLOCK * IMG_BLOCK;
        assert_int_equal(ap_graph_node_live(g, v), sql->nodes[v].live);
        for (uint32_t w = 0; w < sql->n; w++)
            if ((uint64_t)w * sizeof(img_node) >= lo
                && ((uint64_t)w + 1) * sizeof(img_node) <= lo + IMG_BLOCK) {
                assert_int_equal(g->node_live[w], sql->nodes[w].live ? 2 : 1);
                checked++;
            }
        assert_true(checked >= (sql->n < 73 ? sql->n - v : 72));
    }
    for (uint32_t i = 0; i < sql->m && sql->n > 0; i++) {
        uint32_t v = order[i] % sql->n;
        assert_int_equal(ap_graph_node_live(g, v), sql->nodes[v].live);
    }
    if (image_expected)
        assert_int_equal(g->nodes_built, 0);
    for (uint32_t v = 0; v < sql->n; v++) {
        assert_int_equal(ap_graph_node(g, v)->live, sql->nodes[v].live);
        assert_int_equal(ap_graph_node_live(g, v), sql->nodes[v].live);
    }
    ap_graph_free(g);

    /* kept without their strings (a chain walk), then named: the strings are added */
    assert_int_equal(ap_graph_load_partial(&g, st, 0, at, &err), AP_OK);
    for (uint32_t i = 0; i < sql->m; i += 2) {
        const ap_edge *kept = ap_graph_edge_fields(g, order[i], NULL);
        if (image_expected)
            assert_null(kept->id);
        assert_same_edge_fields(kept, &sql->edges[order[i]]);
    }
    assert_same_graph_in(g, sql, order);
    ap_graph_free(g);

    assert_int_equal(ap_graph_load_partial(&g, st, 0, at, &err), AP_OK);
    const ap_node *first = sql->n > 0 ? ap_graph_node(g, sql->n / 2) : NULL;
    const ap_edge *e = sql->m > 0 ? ap_graph_edge(g, sql->m / 2) : NULL;
    if (image_expected) {
        assert_int_equal(g->edges_built, sql->m > 0 ? 1 : 0);
        assert_true(g->nodes_built <= 3);       /* that node and the edge's two ends */
    }
    assert_non_null(ap_graph_igraph(g, NULL));   /* builds the whole arrays */
    assert_non_null(g->nodes);
    assert_same_graph(g, sql);
    if (first != NULL)                          /* what was handed out stays valid */
        assert_string_equal(first->id, sql->nodes[sql->n / 2].id);
    if (e != NULL)
        assert_string_equal(e->id, sql->edges[sql->m / 2].id);
    ap_graph_free(g);
    free(order);
}

/* The latest snapshot at `at`: from the image (when expected) and from the rows, identical. */
static void check_same(ap_store *st, int64_t at, bool image_expected)
{
    const ap_load_opts rows = {1, 1u << 16, false};
    ap_graph *img = NULL, *sql = NULL;
    ap_error err;
    assert_int_equal(ap_graph_load(&img, st, 0, at, &err), AP_OK);
    if (from_image(img) != image_expected)
        fail_msg("%s: loaded from %s", db_path, img->load_note);
    assert_int_equal(ap_graph__load(&sql, st, 0, at, &rows, &err), AP_OK);
    assert_same_graph(img, sql);
    ap_graph_free(img);
    check_partial(st, at, image_expected, sql);
    ap_graph_free(sql);
}

static const int64_t times[] = {0, 1767225600, 1780272000, 1893456000, INT64_MAX - 1};

/* One string's one-block bit: set exactly when it (NUL included) lies in one block. */
static size_t check_bit(const char *strings, uint64_t off, uint8_t one_block, uint8_t bit)
{
    uint64_t end = off + strlen(strings + off);         /* its NUL */
    bool one = off / IMG_BLOCK == end / IMG_BLOCK;
    if (one != ((one_block & bit) != 0))
        fail_msg("the string at %llu (%llu bytes) has its one-block bit %s",
                 (unsigned long long)off, (unsigned long long)(end - off + 1),
                 one ? "clear" : "set");
    return !one;
}

/* Every record's one-block bits in the image at image_path; how many strings span blocks. */
static size_t spanning_strings(void)
{
    FILE *f = fopen(image_path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    uint8_t *image = malloc((size_t)size);
    assert_non_null(image);
    rewind(f);
    assert_int_equal(fread(image, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    const img_head *h = (const img_head *)image;
    const char *strings = (const char *)image + h->off[S_STRINGS];
    size_t spanning = 0;
    for (uint32_t v = 0; v < h->n; v++) {
        img_node r;
        memcpy(&r, image + h->off[S_NODES] + (size_t)v * sizeof r, sizeof r);
        spanning += check_bit(strings, r.id, r.one_block, IMG_ID_ONE)
                    + check_bit(strings, r.attrs, r.one_block, IMG_ATTRS_ONE);
    }
    for (uint32_t e = 0; e < h->m; e++) {
        img_edge r;
        memcpy(&r, image + h->off[S_EDGES] + (size_t)e * sizeof r, sizeof r);
        spanning += check_bit(strings, r.id, r.one_block, IMG_ID_ONE)
                    + check_bit(strings, r.attrs, r.one_block, IMG_ATTRS_ONE);
    }
    free(image);
    return spanning;
}

static size_t check_files(const char *name, const char *const *paths, size_t n)
{
    ap_store *st = import_file_db(name, paths, n);
    size_t spanning = spanning_strings();
    for (size_t t = 0; t < sizeof times / sizeof *times; t++)
        check_same(st, times[t], true);
    ap_store_close(st);
    remove_db();
    return spanning;
}

static void test_graph_image__samples_match_the_rows(void **state)
{
    (void)state;
    const char *json[] = {SAMPLE("estate.json")}, *yaml[] = {SAMPLE("estate.yaml")};
    const char *csv[] = {SAMPLE("estate-nodes.csv"), SAMPLE("estate-edges.csv"),
                         SAMPLE("estate-rights.csv")};
    check_files("json", json, 1);
    check_files("yaml", yaml, 1);
    check_files("csv", csv, 3);
}

static void test_graph_image__real_inputs_match_the_rows(void **state)
{
    (void)state;
    static const char *const real[] = {
        REAL("aws-cli-examples/get-account-authorization-details.json"),
        REAL("cloudsplaining/example.json"),
        REAL("cloudsplaining/example-authz-details.json"),
        REAL("githound/githound_O_kgDOCoV2OQ.json"),
        REAL("datahound-opengraph/sample-bhce-output.json"),
        REAL("kubehound/attacks/ROLE_BIND_CRB_CR.yaml"),
        REAL("msgraph-docs/oauth2PermissionGrants.list.json"),
        REAL("roadtools/firstpartyscopes.json"),
    };
    size_t spanning = 0;
    for (size_t i = 0; i < sizeof real / sizeof *real; i++)
        spanning += check_files("real", &real[i], 1);
    assert_true(spanning > 0);      /* strings across a block's end were written and read */
}

/* The property generator's random estates (states, validity intervals, masks, gates), at the
 * generator's time and at others. */
static void test_graph_image__random_estates_match_the_rows(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        m_inventory inv;
        m_generate(&inv, seed);
        char *json = m_to_json(&inv);
        const char *path = ap_test_write_temp("image_model.json", json);
        free(json);
        ap_store *st = import_file_db("model", &path, 1);
        check_same(st, inv.at, true);
        check_same(st, inv.at + 86400 * 400, true);
        check_same(st, inv.at - 86400 * 400, true);
        ap_store_close(st);
        remove_db();
        remove(path);
    }
}

/* A second snapshot gets its own image (versioned rows); the first is read from its rows. */
static void test_graph_image__second_snapshot(void **state)
{
    (void)state;
    const char *first[] = {SAMPLE("estate.json")};
    const char *second = FIXTURE("diff/estate-q2.json");
    ap_store *st = import_file_db("second", first, 1);
    ap_error err;
    ap_graph *g = NULL;
    assert_int_equal(ap_test_import(st, second, &err), AP_OK);
    check_same(st, 1767225600, true);
    assert_int_equal(ap_graph_load(&g, st, 1, 1767225600, &err), AP_OK);
    assert_false(from_image(g));
    assert_non_null(strstr(g->load_note, "records no graph image of snapshot 1"));
    ap_graph_free(g);
    ap_store_close(st);
    remove_db();
}

/* Every node and edge row (ids for keys and rids), in one text: two databases that hold the
 * same snapshots give the same text. */
static int append_row(void *arg, int ncols, char **vals, char **names)
{
    char **text = arg;
    (void)names;
    for (int i = 0; i < ncols; i++) {
        const char *v = vals[i] != NULL ? vals[i] : "NULL";
        size_t old = *text != NULL ? strlen(*text) : 0;
        char *p = realloc(*text, old + strlen(v) + 2);
        assert_non_null(p);
        strcpy(p + old, v);
        strcpy(p + old + strlen(v), i + 1 < ncols ? "," : "\n");
        *text = p;
    }
    return 0;
}

static char *dump_rows(ap_store *st)
{
    char *text = NULL;
    assert_int_equal(sqlite3_exec(st->db, "SELECT i.id, n.snap_from, n.snap_to, n.kind, n.state,"
        " n.valid_from, n.expires, n.sensitivity, n.attrs, n.file, n.line, n.col FROM node n"
        " JOIN ident i USING (key) ORDER BY 1, 2", append_row, &text, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(st->db, "SELECT e.id, a.id, b.id, e.snap_from, e.snap_to,"
        " e.kind, e.rights, e.requires, e.escalates, e.declared, e.state, e.valid_from,"
        " e.expires, e.attrs, e.file, e.line, e.col FROM edge e JOIN ident a ON a.key = e.src"
        " JOIN ident b ON b.key = e.dst ORDER BY 1, 4", append_row, &text, NULL), SQLITE_OK);
    return text;
}

/* Import a then b: once with a's image there (b compared with it in C, store_diff.c), once
 * without (compared in SQL). The same rows either way, and b's image is b's rows. */
static void check_reimport(const char *a, const char *b, int64_t at)
{
    ap_error err;
    assert_string_not_equal(a, b);
    ap_store *st = import_file_db("reimport", &a, 1);
    assert_int_equal(ap_test_import(st, b, &err), AP_OK);
    char *diffed = dump_rows(st);
    check_same(st, at, true);
    ap_store_close(st);
    remove_db();

    st = import_file_db("reimport", &a, 1);
    assert_int_equal(unlink(image_path), 0);
    assert_int_equal(ap_test_import(st, b, &err), AP_OK);
    char *sql = dump_rows(st);
    check_same(st, at, true);
    ap_store_close(st);
    remove_db();
    assert_string_equal(diffed, sql);
    free(diffed);
    free(sql);
}

/* The random estates again, each re-imported unchanged, or with a node's state changed, an
 * edge dropped and an edge's expiry changed (kept, changed, new and gone rows together), or
 * against another random estate (the same node ids, other kinds and edges). */
static void test_graph_image__reimport_matches_sql(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        m_inventory inv;
        m_generate(&inv, seed);
        char *json = m_to_json(&inv);
        char *a = strdup(ap_test_write_temp("reimport_a.json", json));   /* a static buffer */
        free(json);
        if (seed % 3 == 1) {
            m_generate(&inv, seed + 1000);
        } else if (seed % 3 == 2) {
            inv.nodes[seed % (uint64_t)inv.n].state = inv.nodes[seed % (uint64_t)inv.n].state
                                                      == 2 ? 3 : 2;
            if (inv.m > 0)
                memmove(&inv.edges[0], &inv.edges[1], (size_t)--inv.m * sizeof inv.edges[0]);
            if (inv.m > 1)
                inv.edges[1].expires = inv.edges[1].expires == INT64_MIN ? inv.at : INT64_MIN;
        }
        json = m_to_json(&inv);
        const char *b = ap_test_write_temp("reimport_b.json", json);
        free(json);
        check_reimport(a, b, inv.at);
        remove(a);
        remove(b);
        free(a);
    }
}

/* An edge id that moves to other ends: the new row is written before the merge reaches the
 * old one, which must close only the old. */
static void test_graph_image__reimport_moves_an_edge_id(void **state)
{
    (void)state;
    static const char *const nodes = "\"nodes\": [{\"id\": \"a\", \"kind\": \"partner\"},"
        " {\"id\": \"b\", \"kind\": \"resource\"}, {\"id\": \"c\", \"kind\": \"resource\"}]";
    char text[512];
    snprintf(text, sizeof text, "{\"format\": \"authpath/1\", %s, \"edges\": [{\"id\": \"e1\","
             " \"from\": \"a\", \"to\": \"c\", \"kind\": \"admin_of\"}]}", nodes);
    char *a = strdup(ap_test_write_temp("moves_a.json", text));      /* a static buffer */
    snprintf(text, sizeof text, "{\"format\": \"authpath/1\", %s, \"edges\": [{\"id\": \"e1\","
             " \"from\": \"a\", \"to\": \"b\", \"kind\": \"admin_of\"}]}", nodes);
    const char *b = ap_test_write_temp("moves_b.json", text);
    check_reimport(a, b, 1767225600);
    ap_error err;
    const char *first = a;
    ap_store *st = import_file_db("moves", &first, 1);
    assert_int_equal(ap_test_import(st, b, &err), AP_OK);
    ap_graph *g = NULL;
    assert_int_equal(ap_graph_load(&g, st, 0, 1767225600, &err), AP_OK);
    assert_int_equal(ap_graph_edge_count(g), 1);
    assert_string_equal(ap_graph_node(g, ap_graph_edge(g, 0)->to)->id, "b");
    ap_graph_free(g);
    ap_store_close(st);
    remove_db();
    remove(a);
    remove(b);
    free(a);
}

static void flip_byte(const char *path, long offset)
{
    FILE *f = fopen(path, "r+b");
    int c;
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
    c = fgetc(f);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ 0x20, f);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long)sb.st_size;
}

/* Not used, the rows read instead (the same graph), and the note says why. */
static void expect_rejected(ap_store *st, const char *why)
{
    ap_graph *g = NULL;
    ap_error err;
    assert_int_equal(ap_graph_load(&g, st, 0, 1767225600, &err), AP_OK);
    if (from_image(g) || strstr(g->load_note, why) == NULL)
        fail_msg("expected '%s', got: %s", why, g->load_note);
    ap_graph_free(g);
    check_same(st, 1767225600, false);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t len;
    assert_non_null(in);
    assert_non_null(out);
    while ((len = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, len, out), len);
    fclose(in);
    fclose(out);
}

static void test_graph_image__damage_is_detected(void **state)
{
    (void)state;
    const char *files[] = {SAMPLE("estate.json")};
    char saved[600];
    ap_store *st = import_file_db("damage", files, 1);
    snprintf(saved, sizeof saved, "%s.saved", image_path);
    copy_file(image_path, saved);
    long size = file_size(image_path);

    assert_int_equal(truncate(image_path, size - 100), 0);          /* truncated */
    expect_rejected(st, "its size is not the size it was written with");
    assert_int_equal(truncate(image_path, 100), 0);
    expect_rejected(st, "shorter than its header");

    /* a byte flipped in the header and in the middle and at the end of each section (the
     * header's section offsets and lengths: S_COUNT uint64 each, from byte 64 on): a whole
     * load refuses the image; a lazy one refuses it at open when the damage is in the header,
     * the rows, the block table or the strings' end, and finds it when it reads the records
     * or strings */
    long offsets[2 + 2 * S_COUNT] = {20, 64};
    bool lazily[2 + 2 * S_COUNT] = {false, false};
    FILE *f = fopen(saved, "rb");
    uint64_t where[2 * S_COUNT];
    assert_non_null(f);
    assert_int_equal(fseek(f, 64, SEEK_SET), 0);
    assert_int_equal(fread(where, sizeof *where, 2 * S_COUNT, f), 2 * S_COUNT);
    fclose(f);
    for (int s = 0; s < S_COUNT; s++) {
        assert_true(where[S_COUNT + s] > 0);
        offsets[2 + 2 * s] = (long)(where[s] + where[S_COUNT + s] / 2);
        offsets[3 + 2 * s] = (long)(where[s] + where[S_COUNT + s] - 1);
        lazily[2 + 2 * s] = s == S_NODES || s == S_EDGES || s == S_STRINGS;
        lazily[3 + 2 * s] = s == S_NODES || s == S_EDGES;  /* the strings' last '\0': at open */
    }
    for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
        copy_file(saved, image_path);
        check_same(st, 1767225600, true);
        flip_byte(image_path, offsets[i]);
        ap_graph *g = NULL;
        ap_error err;
        assert_int_equal(ap_graph_load(&g, st, 0, 1767225600, &err), AP_OK);
        if (from_image(g))
            fail_msg("a flipped byte at %ld went unnoticed", offsets[i]);
        ap_graph_free(g);
        assert_int_equal(ap_graph_load_partial(&g, st, 0, 1767225600, &err), AP_OK);
        if (from_image(g) != lazily[i])
            fail_msg("a flipped byte at %ld: a lazy load came from %s", offsets[i], g->load_note);
        assert_null(ap_graph_image_damage(g));
        if (offsets[i] >= (long)where[S_EDGES]
            && offsets[i] < (long)(where[S_EDGES] + where[S_COUNT + S_EDGES])) {
            ap_edge tmp;            /* an edge record's fields read in place: checked too */
            for (uint32_t e = 0; e < g->m; e++)
                (void)ap_graph_edge_fields(g, e, &tmp);
            if (ap_graph_image_damage(g) == NULL)
                fail_msg("a flipped edge record byte at %ld went unnoticed in place", offsets[i]);
        }
        if (offsets[i] >= (long)where[S_NODES]
            && offsets[i] < (long)(where[S_NODES] + where[S_COUNT + S_NODES])) {
            for (uint32_t v = 0; v < g->n; v++)     /* a node's liveness read in place: too */
                (void)ap_graph_node_live(g, v);
            if (ap_graph_image_damage(g) == NULL)
                fail_msg("a flipped node record byte at %ld went unnoticed in place", offsets[i]);
        }
        assert_int_equal(ap_graph__full(g, &err), AP_OK);    /* every record read */
        if (lazily[i] && ap_graph_image_damage(g) == NULL)
            fail_msg("a flipped byte at %ld went unnoticed by a lazy load", offsets[i]);
        ap_graph_free(g);
        if (!lazily[i])
            check_same(st, 1767225600, false);
    }

    /* an image of an earlier format (1: before the block table; 2: before the one-block bits,
     * where its records' padding is 0) is refused, not misread */
    for (uint32_t version = 1; version <= 2; version++) {
        copy_file(saved, image_path);
        f = fopen(image_path, "r+b");
        assert_non_null(f);
        assert_int_equal(fseek(f, 8, SEEK_SET), 0);
        assert_int_equal(fwrite(&version, sizeof version, 1, f), 1);
        fclose(f);
        expect_rejected(st, "not a graph image of this version");
    }

    unlink(image_path);                                              /* missing */
    expect_rejected(st, "cannot read the graph image");

    /* stale: the image of the first import after a second import of the same estate into a
     * new database (the same snapshot id, another token) */
    ap_store_close(st);
    remove_db();
    st = import_file_db("damage", files, 1);
    copy_file(saved, image_path);
    expect_rejected(st, "written for another import (stale or foreign)");
    ap_store_close(st);
    remove_db();
    unlink(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_image__samples_match_the_rows),
        cmocka_unit_test(test_graph_image__real_inputs_match_the_rows),
        cmocka_unit_test(test_graph_image__random_estates_match_the_rows),
        cmocka_unit_test(test_graph_image__second_snapshot),
        cmocka_unit_test(test_graph_image__reimport_matches_sql),
        cmocka_unit_test(test_graph_image__reimport_moves_an_edge_id),
        cmocka_unit_test(test_graph_image__damage_is_detected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
