/* tests/unit/test_store_concurrency.c: two stores on one database file, as two authpath
 * processes would be: imports serialise and build on each other, readers keep their snapshot. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "authpath/query.h"

static char db_path[512];

/* A fresh database file per test (its -wal and -shm too). */
static int db_setup(void **state)
{
    const char *dir = getenv("TMPDIR");
    (void)state;
    snprintf(db_path, sizeof db_path, "%s/ap_test_%ld_concurrency.db",
             dir != NULL ? dir : "/tmp", (long)getpid());
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", db_path, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(p);
    }
    return 0;
}

static ap_store *open_store(void)
{
    ap_store *st = NULL;
    ap_error err;
    if (ap_store_open(&st, db_path, &err) < 0)
        fail_msg("open: %s", err.msg);
    return st;
}

/* An inventory with one partner reaching one resource through a custom right. */
static const char *inventory(const char *name, const char *partner, const char *right)
{
    char text[600];
    snprintf(text, sizeof text,
             "{\"format\": \"authpath/1\", \"rights\": [\"%s\"], \"nodes\": ["
             "{\"id\": \"%s\", \"kind\": \"partner\"}, {\"id\": \"%s-db\", \"kind\": "
             "\"resource\"}], \"edges\": [{\"from\": \"%s\", \"to\": \"%s-db\", \"kind\": "
             "\"access\", \"rights\": [\"read\", \"%s\"]}]}", right, partner, partner, partner,
             partner, right);
    return ap_test_write_temp(name, text);
}

static void import_ok(ap_store *st, const char *path, int64_t want_snap)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_error err;
    int64_t snap = 0;
    if (ap_import_files(st, &path, 1, &opts, &snap, &err) != AP_OK)
        fail_msg("import %s: %s", path, err.msg);
    assert_int_equal(snap, want_snap);
}

/* The rights partner holds over its resource, by name, in the latest snapshot st knows. */
static const char *rights_of(ap_store *st, const char *partner, char *buf, size_t size)
{
    ap_graph *g = ap_test_graph(st, 1767225600);
    ap_authority *a = NULL;
    ap_error err;
    char target[64];
    int64_t p = ap_graph_find(g, partner), t;
    snprintf(target, sizeof target, "%s-db", partner);
    t = ap_graph_find(g, target);
    assert_true(p >= 0 && t >= 0);
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)p, &err), AP_OK);
    ap_rights_format(buf, size, ap_graph_vocab(g), a->rights[t], ",", false);
    ap_authority_free(a);
    ap_graph_free(g);
    return buf;
}

/* Store b was opened before a imported a new right; b's own import, later, must not reuse
 * that right's bit (it used to fail on the vocabulary's primary key). */
static void test_store_concurrency__second_import_builds_on_the_first(void **state)
{
    ap_store *a, *b, *c;
    char buf[128];
    (void)state;
    a = open_store();
    b = open_store();
    import_ok(a, inventory("first.json", "acme", "export"), 1);
    import_ok(b, inventory("second.json", "bravo", "refund"), 2);
    ap_store_close(a);
    ap_store_close(b);
    c = open_store();
    assert_string_equal(ap_store_vocab(c)->names[AP_R_BUILTIN], "export");
    assert_string_equal(ap_store_vocab(c)->names[AP_R_BUILTIN + 1], "refund");
    assert_string_equal(rights_of(c, "bravo", buf, sizeof buf), "read,refund");
    ap_store_close(c);
}

/* A reader opened before an import keeps reading the snapshot it saw, whole, with the rights
 * and files it knows; the next open sees the new one. */
static void test_store_concurrency__reader_keeps_its_snapshot(void **state)
{
    ap_store *w, *r;
    ap_graph *g;
    ap_error err;
    int64_t latest;
    char buf[128];
    (void)state;
    w = open_store();
    import_ok(w, inventory("first.json", "acme", "export"), 1);
    r = open_store();
    import_ok(w, inventory("second.json", "acme", "refund"), 2);
    assert_int_equal(ap_store_latest(r, &latest, &err), AP_OK);
    assert_int_equal(latest, 1);
    assert_string_equal(rights_of(r, "acme", buf, sizeof buf), "read,export");
    assert_int_equal(ap_store_snapshot_exists(r, 2, &err), AP_ENOTFOUND);
    g = ap_test_graph(r, 1767225600);
    assert_non_null(ap_graph_source_path(g, ap_graph_node(g, 0)->file));
    ap_graph_free(g);
    ap_store_close(r);
    r = open_store();
    assert_string_equal(rights_of(r, "acme", buf, sizeof buf), "read,refund");
    ap_store_close(r);
    ap_store_close(w);
}

typedef struct {
    const char *path;
    int done;
    int rc;
    int64_t snap;
    ap_error err;
} import_job;

static void *run_import(void *arg)
{
    import_job *job = arg;
    ap_store *st = open_store();
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    job->rc = ap_import_files(st, &job->path, 1, &opts, &job->snap, &job->err);
    __atomic_store_n(&job->done, 1, __ATOMIC_SEQ_CST);
    ap_store_close(st);
    return NULL;
}

/* While one import holds the write transaction, another waits (busy timeout) and then
 * commits after it: two imports at once give two snapshots, neither lost. */
static void test_store_concurrency__imports_serialise(void **state)
{
    ap_store *a, *c;
    ap_error err;
    pthread_t t;
    import_job job;
    int64_t snap = 0, file;
    ap_node_rec rec;
    (void)state;
    memset(&job, 0, sizeof job);
    job.path = inventory("waiting.json", "bravo", "refund");
    a = open_store();
    assert_int_equal(ap_store_begin(a, &err), AP_OK);
    assert_int_equal(pthread_create(&t, NULL, run_import, &job), 0);
    nanosleep(&(struct timespec){ 0, 300 * 1000 * 1000 }, NULL);
    assert_int_equal(__atomic_load_n(&job.done, __ATOMIC_SEQ_CST), 0);     /* it waits */
    assert_int_equal(ap_store_add_source(a, "held.json", &file, &err), AP_OK);
    memset(&rec, 0, sizeof rec);
    rec.id = "acme";
    rec.kind = AP_KIND_PARTNER;
    rec.state = AP_STATE_NONE;
    rec.valid_from = rec.expires = AP_TIME_NONE;
    rec.sensitivity = AP_SENS_NONE;
    rec.attrs = "{}";
    rec.line = rec.col = 1;
    assert_int_equal(ap_store_stage_node(a, file, &rec, &err), AP_OK);
    assert_int_equal(ap_store_check(a, NULL, &err), AP_OK);
    assert_int_equal(ap_store_commit(a, "held", 1767225600, &snap, &err), AP_OK);
    assert_int_equal(snap, 1);
    pthread_join(t, NULL);
    if (job.rc != AP_OK)
        fail_msg("the waiting import failed: %s", job.err.msg);
    assert_int_equal(job.snap, 2);
    ap_store_close(a);
    c = open_store();
    assert_string_equal(ap_test_store_state(c), "snapshot=2 node=3 edge=1 source=2 vocab=1");
    ap_store_close(c);
}

/* An import that would wait longer than its store's write wait gives up, says why, and leaves
 * the database as it was. */
static void test_store_concurrency__a_wait_that_runs_out_says_so(void **state)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_store *a, *b;
    ap_error err;
    int64_t snap = 0;
    const char *path;
    struct timespec t0, t1;
    (void)state;
    a = open_store();
    import_ok(a, inventory("first.json", "alpha", "export"), 1);
    path = inventory("late.json", "bravo", "refund");
    assert_int_equal(ap_store_begin(a, &err), AP_OK);      /* a holds the write lock */
    b = open_store();
    ap_store_set_write_wait(b, 300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(ap_import_files(b, &path, 1, &opts, &snap, &err), AP_EIO);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_string_equal(err.msg, "another import is writing to the database: gave up waiting "
                                 "for it after 0.3 s");
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 250);
    ap_store_rollback(a);
    assert_string_equal(ap_test_store_state(b), "snapshot=1 node=2 edge=1 source=1 vocab=1");
    import_ok(b, path, 2);                                  /* and b can import now */
    ap_store_close(b);
    ap_store_close(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_store_concurrency__second_import_builds_on_the_first,
                               db_setup),
        cmocka_unit_test_setup(test_store_concurrency__reader_keeps_its_snapshot, db_setup),
        cmocka_unit_test_setup(test_store_concurrency__imports_serialise, db_setup),
        cmocka_unit_test_setup(test_store_concurrency__a_wait_that_runs_out_says_so, db_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
