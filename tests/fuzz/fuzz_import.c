/* tests/fuzz/fuzz_import.c: one reader under the fuzzer. The input is an inventory file (with
 * AP_FUZZ_SPLIT defined, up to AP_FUZZ_SLOTS files separated by form feeds, as a CSV nodes,
 * edges and rights triple), imported with format AP_FUZZ_FORMAT into a fresh in-memory store;
 * what imports is queried and rendered, and every output must parse whatever the names were. */
#define _GNU_SOURCE             /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <jansson.h>

#include "authpath/diagram.h"
#include "authpath/findings.h"
#include "authpath/import.h"
#include "authpath/render.h"
#include "fuzz.h"

#ifndef AP_FUZZ_FORMAT
#define AP_FUZZ_FORMAT AP_FORMAT_AUTO
#endif

typedef int (*writer)(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err);

static int write_sarif(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    return ap_findings_write_sarif(out, g, f, "fuzz", err);
}

/* Run w into memory; *out owns the text. */
static char *capture(writer w, const ap_graph *g, const ap_findings *f)
{
    char *buf = NULL;
    size_t len = 0;
    ap_error err;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL)
        abort();
    if (w(out, g, f, &err) < 0)
        ap_fuzz_fail("writing findings", &err);
    fclose(out);
    return buf;
}

/* JSON and SARIF must parse, whatever the names were. */
static void check_json(const char *text, const char *what)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (doc == NULL) {
        fprintf(stderr, "fuzz: %s output does not parse (%s, line %d)\n", what, je.text,
                je.line);
        abort();
    }
    json_decref(doc);
}

/* Text for a terminal: no control character but the line break reaches it. */
static void check_text(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) {
            fprintf(stderr, "fuzz: raw control character 0x%02x in text output\n", *p);
            abort();
        }
}

/* The first partner's authority diagram as DOT must read back with as many nodes. */
static void check_dot(const ap_graph *g, uint32_t partner)
{
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    char *dot = NULL;
    size_t len;
    ap_error err;
    Agraph_t *back;
    if (ap_authority_compute(&a, g, partner, &err) < 0)
        ap_fuzz_fail("authority", &err);
    if (ap_diagram_authority(&d, g, a, &err) < 0)
        ap_fuzz_fail("diagram", &err);
    if (ap_diagram_render(&dot, &len, g, d, "dot", &err) < 0)
        ap_fuzz_fail("dot", &err);
    if ((back = agmemread(dot)) == NULL)
        ap_fuzz_fail("the DOT output does not parse", NULL);
    if ((uint32_t)agnnodes(back) < d->nnodes)
        ap_fuzz_fail("the DOT output lost nodes", NULL);
    agclose(back);
    free(dot);
    ap_diagram_free(d);
    ap_authority_free(a);
}

static void query(ap_store *st)
{
    ap_graph *g = NULL;
    ap_findings *f = NULL;
    ap_error err;
    char *text;
    if (ap_graph_load(&g, st, 0, AP_FUZZ_AT, &err) < 0)
        ap_fuzz_fail("loading what was imported", &err);
    if (ap_findings_compute(&f, g, NULL, &err) < 0)
        ap_fuzz_fail("findings", &err);
    text = capture(ap_findings_write_json, g, f);
    check_json(text, "JSON");
    free(text);
    text = capture(write_sarif, g, f);
    check_json(text, "SARIF");
    free(text);
    text = capture(ap_findings_write_text, g, f);
    check_text(text);
    free(text);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER) {
            check_dot(g, v);
            break;
        }
    ap_findings_free(f);
    ap_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ap_store *st = NULL;
    ap_error err;
    ap_error_list more;
    ap_import_opts opts = { .format = AP_FUZZ_FORMAT, .created = AP_FUZZ_AT, .more = &more };
    int64_t snap = 0;
    const char *paths[AP_FUZZ_SLOTS];
    size_t n = 0;
    int rc;
#ifdef AP_FUZZ_SPLIT
    while (n + 1 < AP_FUZZ_SLOTS) {
        const uint8_t *ff = memchr(data, '\f', size);
        if (ff == NULL)
            break;
        paths[n] = ap_fuzz_path((unsigned)n, data, (size_t)(ff - data));
        n++;
        size -= (size_t)(ff - data) + 1;
        data = ff + 1;
    }
#endif
    paths[n] = ap_fuzz_path((unsigned)n, data, size);
    n++;
    memset(&more, 0, sizeof more);
    memset(&err, 0, sizeof err);
    ap_igraph_init();
    if (ap_store_open(&st, ":memory:", &err) < 0)
        ap_fuzz_fail("opening a store", &err);
    rc = ap_import_files(st, paths, n, &opts, &snap, &err);
    if (rc == AP_OK) {
        query(st);
    } else if (rc == AP_EINPUT) {
        /* refused: with a message, and nothing written */
        if (err.msg[0] == '\0')
            ap_fuzz_fail("an input error without a message", &err);
        if (ap_store_latest(st, &snap, &err) < 0 || snap != 0)
            ap_fuzz_fail("a refused import left a snapshot", &err);
    } else {
        ap_fuzz_fail("import", &err);
    }
    ap_store_close(st);
    return 0;
}
