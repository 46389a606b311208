/* tests/fuzz/fuzz_usage.c: the readers of observed use under the fuzzer. The input is an event
 * file (CloudTrail, Kubernetes audit, Entra sign-ins, the native form) imported as usage into a
 * fixed estate's snapshot; what lands is compared with the chains and written as findings. */
#define _GNU_SOURCE             /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/findings.h"
#include "authpath/import.h"
#include "authpath/render.h"
#include "authpath/usage.h"
#include "fuzz.h"

/* The window of observed use: every event from 1970 to the year 9999, as far as --since and --at
 * reach */
#define AP_FUZZ_UNTIL INT64_C(253402300799)

#ifndef AP_FUZZ_ESTATE
#error "AP_FUZZ_ESTATE names the estate the events are observed on"
#endif

/* The events of the snapshot (every time), or -1 when they cannot be read. */
static long events(const ap_store *st, int64_t snap)
{
    ap_usage *u = NULL;
    ap_error err;
    long n;
    if (ap_usage_load(&u, st, snap, 0, AP_FUZZ_UNTIL, &err) < 0)
        ap_fuzz_fail("loading observed use", &err);
    n = (long)ap_usage_count(u);
    ap_usage_free(u);
    return n;
}

/* Findings with the drift rules over every event, written as JSON that must parse; every
 * partner's observed use beside its authority. */
static void query(const ap_store *st, int64_t snap)
{
    ap_graph *g = NULL;
    ap_usage *u = NULL;
    ap_findings *f = NULL;
    ap_error err;
    char *buf = NULL;
    size_t len = 0;
    FILE *out;
    json_error_t je;
    json_t *doc;
    if (ap_graph_load(&g, st, snap, AP_FUZZ_AT, &err) < 0)
        ap_fuzz_fail("loading the estate", &err);
    if (ap_usage_load(&u, st, snap, 0, AP_FUZZ_UNTIL, &err) < 0)
        ap_fuzz_fail("loading observed use", &err);
    if (ap_findings_compute_observed(&f, g, NULL, u, &err) < 0)
        ap_fuzz_fail("findings with observed use", &err);
    if ((out = open_memstream(&buf, &len)) == NULL)
        abort();
    if (ap_findings_write_json(out, g, f, &err) < 0)
        ap_fuzz_fail("writing findings", &err);
    fclose(out);
    if ((doc = json_loads(buf, 0, &je)) == NULL)
        ap_fuzz_fail("the findings JSON does not parse", NULL);
    json_decref(doc);
    free(buf);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        ap_authority *a = NULL;
        ap_observed *obs = NULL;
        size_t n = 0;
        if (ap_graph_node(g, v)->kind != AP_KIND_PARTNER)
            continue;
        if (ap_authority_compute(&a, g, v, &err) < 0)
            ap_fuzz_fail("authority", &err);
        if (ap_usage_observed(&obs, &n, g, a, u, &err) < 0)
            ap_fuzz_fail("observed use", &err);
        for (size_t i = 0; i < n; i++)
            if (obs[i].used != 0 && obs[i].events == 0)
                ap_fuzz_fail("observed use without an event", NULL);
        free(obs);
        ap_authority_free(a);
    }
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ap_store *st = NULL;
    ap_error err;
    ap_error_list more;
    ap_import_opts opts = { .format = AP_FORMAT_NATIVE, .created = AP_FUZZ_AT, .more = &more };
    const char *estate = AP_FUZZ_ESTATE, *path;
    int64_t snap = 0, got = 0;
    long before;
    int rc;
    memset(&more, 0, sizeof more);
    memset(&err, 0, sizeof err);
    ap_igraph_init();
    if (ap_store_open(&st, ":memory:", &err) < 0)
        ap_fuzz_fail("opening a store", &err);
    if (ap_import_files(st, &estate, 1, &opts, &snap, &err) < 0)
        ap_fuzz_fail("importing the estate", &err);
    before = events(st, snap);
    path = ap_fuzz_path(0, data, size);
    opts.format = AP_FORMAT_USAGE;
    rc = ap_import_files(st, &path, 1, &opts, &got, &err);
    if (rc == AP_OK) {
        if (got != snap)
            ap_fuzz_fail("observed use went into another snapshot", NULL);
        query(st, snap);
    } else if (rc == AP_EINPUT) {
        /* refused: with a message, and no event written */
        if (err.msg[0] == '\0')
            ap_fuzz_fail("an input error without a message", &err);
        if (events(st, snap) != before)
            ap_fuzz_fail("a refused import of observed use left events", &err);
    } else {
        ap_fuzz_fail("import of observed use", &err);
    }
    ap_store_close(st);
    return 0;
}
