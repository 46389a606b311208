/* tests/fuzz/fuzz_rights.c: rights parsing through the native reader. The input's first line
 * is the document's 'rights' declaration, the rest an access edge's 'rights', both as JSON;
 * what imports must give the partner exactly the edge's rights over the resource. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/import.h"
#include "authpath/query.h"
#include "fuzz.h"

static void check(ap_store *st)
{
    ap_graph *g = NULL;
    ap_authority *a = NULL;
    ap_error err;
    int64_t p = -1, r = -1, e = -1;
    ap_rights all;
    char shown[1024];
    if (ap_graph_load(&g, st, 0, AP_FUZZ_AT, &err) < 0)
        ap_fuzz_fail("loading what was imported", &err);
    if ((p = ap_graph_find(g, "p")) < 0 || (r = ap_graph_find(g, "r")) < 0
        || (e = ap_graph_find_edge(g, "e")) < 0)
        ap_fuzz_fail("a node or the edge is missing", NULL);
    if (ap_authority_compute(&a, g, (uint32_t)p, &err) < 0)
        ap_fuzz_fail("authority", &err);
    all = ap_vocab_all(ap_graph_vocab(g));
    if ((a->rights[r] & all) != (ap_graph_edge(g, (uint32_t)e)->rights & all))
        ap_fuzz_fail("the partner's rights over the resource are not the edge's", NULL);
    ap_rights_format(shown, sizeof shown, ap_graph_vocab(g), a->rights[r], ",", true);
    ap_authority_free(a);
    ap_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t na = nl != NULL ? (size_t)(nl - data) : size;
    size_t nb = nl != NULL ? size - na - 1 : 0;
    static const char head[] = "{\"format\": \"authpath/1\", \"rights\": ";
    static const char mid[] = ",\n\"nodes\": [{\"id\": \"p\", \"kind\": \"partner\"}, "
                              "{\"id\": \"r\", \"kind\": \"resource\"}],\n\"edges\": [{\"id\": "
                              "\"e\", \"from\": \"p\", \"to\": \"r\", \"kind\": \"access\", "
                              "\"rights\": ";
    static const char tail[] = "}]}\n";
    size_t len = strlen(head) + (na ? na : 4) + strlen(mid) + (nb ? nb : 4) + strlen(tail);
    char *doc = malloc(len + 1), *w = doc;
    ap_store *st = NULL;
    ap_error err;
    ap_import_opts opts = { .format = AP_FORMAT_NATIVE, .created = AP_FUZZ_AT };
    int64_t snap;
    const char *path;
    int rc;
    if (doc == NULL)
        abort();
    w += sprintf(w, "%s", head);
    memcpy(w, na ? (const char *)data : "null", na ? na : 4);
    w += na ? na : 4;
    w += sprintf(w, "%s", mid);
    memcpy(w, nb ? (const char *)nl + 1 : "null", nb ? nb : 4);
    w += nb ? nb : 4;
    w += sprintf(w, "%s", tail);
    path = ap_fuzz_path(0, (const uint8_t *)doc, (size_t)(w - doc));
    ap_igraph_init();
    if (ap_store_open(&st, ":memory:", &err) < 0)
        ap_fuzz_fail("opening a store", &err);
    rc = ap_import_files(st, &path, 1, &opts, &snap, &err);
    if (rc == AP_OK)
        check(st);
    else if (rc != AP_EINPUT || err.msg[0] == '\0')
        ap_fuzz_fail("import", &err);
    ap_store_close(st);
    free(doc);
    return 0;
}
