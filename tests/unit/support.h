/* tests/unit/support.h: what the cmocka tests share: fixture paths, a fresh store per test,
 * and small helpers for counting rows and importing text. */
#ifndef AP_TEST_SUPPORT_H
#define AP_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "authpath/findings.h"
#include "authpath/graph.h"
#include "authpath/import.h"
#include "authpath/query.h"
#include "authpath/store.h"

#define FIXTURE(name) AP_FIXTURES "/" name
#define SAMPLE(name) AP_SAMPLES "/" name
#define REAL(name) AP_REAL "/" name

/* cmocka setup/teardown: *state becomes a fresh in-memory store. */
int ap_test_store_setup(void **state);
int ap_test_store_teardown(void **state);
/* Write text to a temporary file named after name (keeping its extension); returns the path
 * (static buffer, valid until the next call). */
const char *ap_test_write_temp(const char *name, const char *text);
/* Import one file; returns the status, err filled. */
int ap_test_import(ap_store *st, const char *path, ap_error *err);
/* Import files with these options (created time fixed); returns the status, err filled. */
int ap_test_import_opts(ap_store *st, const char *const *paths, size_t n, ap_import_opts *opts,
                        ap_error *err);
/* The rights source holds over target (by id) in g, and the round it first got them
 * (*hops = AP_UNREACHED when it has none); fails the test when an id is unknown. */
ap_rights ap_test_reach(const ap_graph *g, const char *source, const char *target,
                        uint32_t *hops);
/* Load the latest snapshot at time at; fails the test on error. */
ap_graph *ap_test_graph(ap_store *st, int64_t at);
/* An inventory's JSON text (freed here) written to a temporary file "<tag>_<seed>.json",
 * imported into a fresh in-memory store (*st: ap_store_close()) and loaded at time at; fails
 * the test, naming the seed and the error's place, when the import does. */
ap_graph *ap_test_load_json(char *json, int64_t at, const char *tag, uint64_t seed,
                            ap_store **st);
/* An inventory's JSON text (freed here) with a sensitivity on each resource and workflow: node
 * i (by position) gets names[(i * step + seed) % n] (the model has none; it changes no
 * authority, and the findings about sensitive targets then fire). The new text: free() it. */
char *ap_test_with_sensitivity(char *json, uint64_t seed, const char *const *names, size_t n,
                               size_t step);
/* Two runs of one source agree at v: the same rights and hops and, where it holds something,
 * each class's arrival (round, edge, length); else the test fails, naming what and v. */
void ap_test_same_arrivals(const ap_authority *w, const ap_authority *r, uint32_t v,
                           const char *what);
/* Rows in a table of the store's database, by SQL count query on a table name. */
long ap_test_count(ap_store *st, const char *sql);
/* The last finding of rule in f (its evidence read back) and how many there are (*count);
 * NULL when none. */
const ap_finding *ap_test_only_finding(const ap_findings *f, const char *rule, size_t *count);
/* cmocka setup: a fresh store (ap_test_store_setup) holding the inventory `fixture`. */
int ap_test_store_with(void **state, const char *fixture);
/* Import path as the store's observed use, its report into rep (NULL: none wanted). */
int ap_test_usage(ap_store *st, const char *path, ap_usage_report *rep, ap_error *err);
/* What an import may change, as text to compare before and after one ("snapshot=1 node=5
 * edge=6 source=1 vocab=1"; static buffer, valid until the next call). */
const char *ap_test_store_state(ap_store *st);
/* Import n files as one snapshot, expecting AP_EINPUT with exactly this first error; more
 * (when not NULL) receives the others. */
void ap_test_expect_error(ap_store *st, const char *const *paths, size_t n,
                          ap_error_list *more, const char *file, unsigned line, unsigned col,
                          const char *msg);

#endif
