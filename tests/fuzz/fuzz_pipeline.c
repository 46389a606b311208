/* tests/fuzz/fuzz_pipeline.c: the whole pipeline under the fuzzer. The input bytes describe a
 * small estate (kinds, rights masks, gates, escalation, cycles, lifecycle, hostile names); it
 * is written as native JSON, imported, and every command's library side runs on it in every
 * format, each output checked to parse (JSON, SARIF, CSV, DOT, SVG, GraphML) and text to hold
 * no raw control character. */
#define _GNU_SOURCE             /* open_memstream */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <graphviz/cgraph.h>
#include <jansson.h>
#ifdef AP_FUZZ_EXPAT
#include <expat.h>
#endif

#include "authpath/diagram.h"
#include "authpath/diff.h"
#include "authpath/findings.h"
#include "authpath/import.h"
#include "authpath/render.h"
#include "fuzz.h"

/* ---- Reading the input as choices ---- */

typedef struct {
    const uint8_t *p;
    size_t left;
} bytes;

static unsigned take(bytes *in, unsigned n)     /* a choice among n (0 once input runs out) */
{
    if (in->left == 0 || n == 0)
        return 0;
    in->left--;
    return *in->p++ % n;
}

static const char *const kinds[] = { "partner", "identity", "credential", "role", "resource",
                                     "workflow" };
static const char *const edge_kinds[] = { "holds", "authenticates_as", "member_of",
                                          "can_assume", "subcontractor_of", "admin_of",
                                          "can_mint", "access", "triggers", "runs_as",
                                          "depends_on" };
static const char *const rights[] = { "read", "write", "delete", "admin", "execute", "approve",
                                      "mint", "delegate", "x-port.v2", "refund" };
static const char *const states[] = { "active", "active", "requested", "approved",
                                      "under_review", "suspended", "revoked" };
static const char *const sens[] = { "public", "internal", "confidential", "restricted",
                                    "critical" };
static const char *const dates[] = { "2025-01-01", "2026-01-01", "2026-01-01T00:00:01Z",
                                     "2027-06-30", "2024-12-31T23:59:59+01:00" };
/* Names a partner could choose: terminal controls, bidi, forged lines, DOT/HTML/CSV syntax. */
static const char *const traps[] = {
    "\x1b[31mred\x1b[0m", "bell\a", "cr\rforged\nline", "c1\xc2\x9b" "2J", "del\x7f",
    "rlo\xe2\x80\xae" "cod.exe", "alm\xd8\x9c", "iso\xe2\x81\xa6x\xe2\x81\xa9", "lrm\xe2\x80\x8e",
    "q\"uote\\N\\G\\l", "&amp;<b>x</b>", "=cmd|' /C calc'!A0", "-leading", "a|kind|b#2",
    "tab\there", "\xe6\x97\xa5\xf0\x9f\x94\x92", "]]><!--", "{\"json\":1}", "bad\xffutf8",
    "home",
};

/* A name: plain, a trap, or a long run (past Graphviz's 16,384-byte token limit at most). */
static void name_into(char *buf, size_t size, bytes *in, const char *plain, unsigned i)
{
    unsigned how = take(in, 8);
    if (how < 4) {
        snprintf(buf, size, "%s%u", plain, i);
    } else if (how < 7) {
        snprintf(buf, size, "%s%u", traps[take(in, sizeof traps / sizeof traps[0])], i);
    } else {
        size_t n = 1 + (size_t)take(in, 64) * 400;     /* up to 25,201 bytes */
        if (n >= size)
            n = size - 1;
        memset(buf, "L&\\\"<"[take(in, 5)], n);
        snprintf(buf + n, size - n, "%u", i);
    }
}

#define MAX_NODES 14
#define NAME_SIZE 26000

/* The estate as native JSON (NULL when jansson refuses a string: invalid UTF-8 in a trap is
 * sent through a raw string instead, so the reader's refusal is exercised too). */
static char *estate(bytes *in, unsigned *nnodes)
{
    json_t *doc = json_object(), *nodes = json_array(), *edges = json_array();
    json_t *vocab = json_array();
    char *ids[MAX_NODES];
    char *buf = malloc(NAME_SIZE);
    unsigned n = 2 + take(in, MAX_NODES - 1), m = take(in, 3 * MAX_NODES);
    json_object_set_new(doc, "format", json_string("authpath/1"));
    json_array_append_new(vocab, json_string("x-port.v2"));
    json_array_append_new(vocab, json_string("refund"));
    json_object_set_new(doc, "rights", vocab);
    for (unsigned i = 0; i < n; i++) {
        json_t *o = json_object();
        unsigned k = i == 0 ? 0 : take(in, 6);              /* the first is a partner */
        name_into(buf, NAME_SIZE, in, "n", i);
        ids[i] = strdup(buf);
        json_object_set_new(o, "id", json_stringn_nocheck(buf, strlen(buf)));
        json_object_set_new(o, "kind", json_string(kinds[k]));
        if (take(in, 2)) {
            name_into(buf, NAME_SIZE, in, "Name ", i);
            json_object_set_new(o, "name", json_stringn_nocheck(buf, strlen(buf)));
        }
        if (take(in, 2) && i > 0)       /* a domain: home or an earlier node's id */
            json_object_set_new(o, "domain", json_string_nocheck(
                take(in, 2) ? "home" : ids[take(in, i)]));
        if (k >= 4)
            json_object_set_new(o, "sensitivity", json_string(sens[take(in, 5)]));
        if (take(in, 3) == 0)
            json_object_set_new(o, "state", json_string(states[take(in, 7)]));
        if (take(in, 3) == 0)
            json_object_set_new(o, "expires", json_string(dates[take(in, 5)]));
        if (take(in, 4) == 0)
            json_object_set_new(o, "valid_from", json_string(dates[take(in, 5)]));
        if (k == 0 && take(in, 2))
            json_object_set_new(o, "contract_ends", json_string(dates[take(in, 5)]));
        if (k == 2) {
            json_object_set_new(o, "static", json_boolean(take(in, 2)));
            json_object_set_new(o, "multi_tenant", json_boolean(take(in, 2)));
        }
        if (take(in, 2))
            json_object_set_new(o, "logged", json_boolean(take(in, 2)));
        json_array_append_new(nodes, o);
    }
    /* edges: random, plus a cycle or a partner loop when asked */
    unsigned shape = take(in, 4);
    for (unsigned j = 0; j < m + (shape ? n : 0); j++) {
        json_t *o = json_object();
        unsigned from, to, kind;
        if (j < m) {
            from = take(in, n);
            to = take(in, n);
            kind = take(in, 11);
        } else {                        /* the shape: i -> i+1 around all nodes */
            from = j - m;
            to = (from + 1) % n;
            kind = shape == 1 ? 3 : shape == 2 ? 4 : 5;
        }
        json_object_set_new(o, "from", json_string_nocheck(ids[from]));
        json_object_set_new(o, "to", json_string_nocheck(ids[to]));
        json_object_set_new(o, "kind", json_string(edge_kinds[kind]));
        unsigned r = take(in, 4);
        if (r == 1) {
            json_object_set_new(o, "rights", json_string(take(in, 2) ? "all" : "none"));
        } else if (r >= 2) {
            json_t *list = json_array();
            unsigned mask = take(in, 256) | (take(in, 4) << 8);
            for (unsigned b = 0; b < 10; b++)
                if (mask >> b & 1)
                    json_array_append_new(list, json_string(rights[b]));
            json_object_set_new(o, "rights", list);
        }
        if (take(in, 5) == 0) {
            json_t *req = json_array();
            json_array_append_new(req, json_string(rights[take(in, 10)]));
            json_object_set_new(o, "requires", req);
        }
        if (take(in, 5) == 0)
            json_object_set_new(o, "escalates", json_boolean(take(in, 2)));
        if (take(in, 5) == 0)
            json_object_set_new(o, "state", json_string(states[take(in, 7)]));
        if (take(in, 5) == 0)
            json_object_set_new(o, "expires", json_string(dates[take(in, 5)]));
        if (take(in, 6) == 0)
            json_object_set_new(o, "temporary", json_boolean(take(in, 2)));
        json_array_append_new(edges, o);
    }
    json_object_set_new(doc, "nodes", nodes);
    json_object_set_new(doc, "edges", edges);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    for (unsigned i = 0; i < n; i++)
        free(ids[i]);
    free(buf);
    *nnodes = n;
    return text;
}

/* ---- Output checks ---- */

typedef int (*writer)(FILE *out, const void *ctx, ap_error *err);

static char *capture(writer w, const void *ctx, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    ap_error err;
    FILE *out = open_memstream(&buf, &n);
    if (out == NULL)
        abort();
    if (w(out, ctx, &err) < 0)
        ap_fuzz_fail("writing an output", &err);
    fclose(out);
    if (len != NULL)
        *len = n;
    return buf;
}

static void check_json(const char *text, const char *what)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (doc == NULL) {
        fprintf(stderr, "fuzz: %s does not parse (%s, line %d)\n", what, je.text, je.line);
        abort();
    }
    json_decref(doc);
}

/* Text for a terminal: no C0 control but the line break, no DEL, no C1, no bidi control
 * (U+061C, U+200E/F, U+202A-E, U+2066-9). */
static void check_text(const char *text, const char *what)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool bad = (*p < 0x20 && *p != '\n') || *p == 0x7f
                   || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                   || (p[0] == 0xd8 && p[1] == 0x9c)
                   || (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f
                                                        || (p[2] >= 0xaa && p[2] <= 0xae)))
                   || (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
        if (bad) {
            fprintf(stderr, "fuzz: raw control 0x%02x 0x%02x in %s\n", p[0], p[1], what);
            abort();
        }
    }
}

static void csv_nop_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
}

static void csv_nop_row(int c, void *data)
{
    (void)c;
    (void)data;
}

static void check_csv(const char *text, size_t len, const char *what)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        abort();
    if (csv_parse(&p, text, len, csv_nop_field, csv_nop_row, NULL) != len
        || csv_fini(&p, csv_nop_field, csv_nop_row, NULL) != 0) {
        fprintf(stderr, "fuzz: %s is not CSV: %s\n", what, csv_strerror(csv_error(&p)));
        abort();
    }
    csv_free(&p);
}

static void check_xml(const char *text, size_t len, const char *what)
{
#ifdef AP_FUZZ_EXPAT
    XML_Parser x = XML_ParserCreate(NULL);
    if (x == NULL)
        abort();
    if (XML_Parse(x, text, (int)len, 1) != XML_STATUS_OK) {
        fprintf(stderr, "fuzz: %s is not well-formed XML: %s at line %lu\n", what,
                XML_ErrorString(XML_GetErrorCode(x)), XML_GetCurrentLineNumber(x));
        abort();
    }
    XML_ParserFree(x);
#else
    (void)len;
    if (strstr(text, "<?xml") == NULL)
        ap_fuzz_fail(what, NULL);
#endif
}

/* Render d in the formats asked: DOT must read back through cgraph with every node and no
 * token over Graphviz's limit, SVG must be XML; PNG and PDF must at least start right. */
static void check_diagram(const ap_graph *g, const ap_diagram *d, unsigned formats)
{
    static const char *const fmts[] = { "dot", "svg", "png", "pdf" };
    for (unsigned f = 0; f < 4; f++) {
        char *out = NULL;
        size_t len = 0;
        ap_error err;
        if (!(formats >> f & 1))
            continue;
        if (ap_diagram_render(&out, &len, g, d, fmts[f], &err) < 0)
            ap_fuzz_fail(fmts[f], &err);
        if (f == 0) {
            agseterr(AGMAX);
            Agraph_t *back = agmemread(out);
            char *msg = aglasterr();
            if (back == NULL || msg != NULL) {
                fprintf(stderr, "fuzz: DOT does not read back: %s\n", msg ? msg : "?");
                abort();
            }
            free(msg);
            if ((uint32_t)agnnodes(back) < d->nnodes + d->ncollapsed)
                ap_fuzz_fail("the DOT output lost nodes", NULL);
            agclose(back);
        } else if (f == 1) {
            check_xml(out, len, "SVG");
        } else if (memcmp(out, f == 2 ? "\x89PNG" : "%PDF-", f == 2 ? 4 : 5) != 0) {
            ap_fuzz_fail("a PNG or PDF without its header", NULL);
        }
        free(out);
    }
}

/* ---- The commands ---- */

typedef struct {
    const ap_graph *g;
    const ap_findings *f;
} gf;

static int w_findings_json(FILE *o, const void *c, ap_error *e)
{
    const gf *x = c;
    return ap_findings_write_json(o, x->g, x->f, e);
}

static int w_findings_sarif(FILE *o, const void *c, ap_error *e)
{
    const gf *x = c;
    return ap_findings_write_sarif(o, x->g, x->f, "fuzz", e);
}

static int w_findings_text(FILE *o, const void *c, ap_error *e)
{
    const gf *x = c;
    return ap_findings_write_text(o, x->g, x->f, e);
}

static int w_table_text(FILE *o, const void *c, ap_error *e)
{
    return ap_table_write_text(c, o, e);
}

static int w_table_csv(FILE *o, const void *c, ap_error *e)
{
    return ap_table_write_csv(c, o, e);
}

static int w_opengraph(FILE *o, const void *c, ap_error *e)
{
    return ap_render_opengraph(o, c, e);
}

static int w_graphml(FILE *o, const void *c, ap_error *e)
{
    return ap_render_graphml(o, c, e);
}

static void check_table(const ap_table *t, const char *what)
{
    size_t len = 0;
    char *text = capture(w_table_text, t, NULL);
    check_text(text, what);
    free(text);
    text = capture(w_table_csv, t, &len);
    check_csv(text, len, what);
    free(text);
}

/* inventory: every node with its name and lifecycle, as the CLI's table does */
static void inventory(const ap_graph *g)
{
    static const char *const head[] = { "ID", "KIND", "NAME", "DOMAIN" };
    ap_table *t = NULL;
    ap_error err;
    if (ap_table_new(&t, 4, head, &err) < 0)
        ap_fuzz_fail("table", &err);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const char *row[] = { ap_graph_node(g, v)->id, ap_kind_name(ap_graph_node(g, v)->kind),
                              ap_graph_node_label(g, v), ap_node_domain(g, v) };
        if (ap_table_add(t, row, &err) < 0)
            ap_fuzz_fail("table row", &err);
    }
    check_table(t, "inventory");
    ap_table_free(t);
}

static void findings(const ap_graph *g)
{
    ap_findings *f = NULL;
    ap_table *t = NULL;
    ap_error err;
    size_t len;
    if (ap_findings_compute(&f, g, NULL, &err) < 0)
        ap_fuzz_fail("findings", &err);
    gf x = { g, f };
    char *text = capture(w_findings_json, &x, NULL);
    check_json(text, "findings JSON");
    free(text);
    text = capture(w_findings_sarif, &x, NULL);
    check_json(text, "SARIF");
    free(text);
    text = capture(w_findings_text, &x, NULL);
    check_text(text, "findings text");
    free(text);
    if (ap_findings_table(&t, g, f, &err) < 0)
        ap_fuzz_fail("findings table", &err);
    text = capture(w_table_csv, t, &len);
    check_csv(text, len, "findings CSV");
    free(text);
    ap_table_free(t);
    ap_findings_free(f);
}

static void export(const ap_graph *g)
{
    size_t len;
    char *text = capture(w_opengraph, g, NULL);
    check_json(text, "OpenGraph");
    free(text);
    text = capture(w_graphml, g, &len);
    check_xml(text, len, "GraphML");
    free(text);
    char *nb = NULL, *eb = NULL, *rb = NULL;
    size_t nl = 0, el = 0, rl = 0;
    FILE *nf = open_memstream(&nb, &nl), *ef = open_memstream(&eb, &el);
    FILE *rf = open_memstream(&rb, &rl);
    ap_error err;
    if (nf == NULL || ef == NULL || rf == NULL)
        abort();
    if (ap_render_csv_pair(nf, ef, rf, g, &err) < 0)
        ap_fuzz_fail("export csv", &err);
    fclose(nf);
    fclose(ef);
    fclose(rf);
    check_csv(nb, nl, "nodes CSV");
    check_csv(eb, el, "edges CSV");
    check_csv(rb, rl, "rights CSV");
    free(nb);
    free(eb);
    free(rb);
}

/* authority, blast radius, explain, paths, offboard, delegation of one partner; with full,
 * what-if and the expiry forecast too */
static void partner(const ap_graph *g, uint32_t p, unsigned formats, bool full)
{
    ap_authority *a = NULL;
    ap_blast *b = NULL;
    ap_diagram *d = NULL;
    ap_weights w;
    ap_error err;
    ap_weights_default(&w);
    if (ap_authority_compute(&a, g, p, &err) < 0 || ap_blast_compute(&b, g, a, &w, &err) < 0)
        ap_fuzz_fail("authority", &err);
    /* authority as the CLI's table: id, rights, chain */
    static const char *const head[] = { "ID", "NAME", "CHAIN" };
    ap_table *t = NULL;
    if (ap_table_new(&t, 3, head, &err) < 0)
        ap_fuzz_fail("table", &err);
    for (uint32_t i = 0; i < a->nreach; i++) {
        uint32_t v = a->reach[i];
        char *sentence = NULL;
        if (ap_explain_sentence(&sentence, g, a, v, &err) < 0)
            ap_fuzz_fail("explain", &err);
        const char *row[] = { ap_graph_node(g, v)->id, ap_graph_node_label(g, v), sentence };
        if (ap_table_add(t, row, &err) < 0)
            ap_fuzz_fail("table row", &err);
        free(sentence);
    }
    check_table(t, "authority");
    ap_table_free(t);
    if (ap_diagram_authority(&d, g, a, &err) < 0)
        ap_fuzz_fail("authority diagram", &err);
    check_diagram(g, d, formats);
    ap_diagram_free(d);
    if (ap_diagram_blast(&d, g, a, &err) < 0)
        ap_fuzz_fail("blast diagram", &err);
    check_diagram(g, d, formats & 1);
    ap_diagram_free(d);
    /* paths */
    uint32_t *targets = NULL, nt = 0;
    ap_paths *paths = NULL;
    ap_paths_opts po = { 0, 0 };
    if (ap_paths_targets(&targets, &nt, g, a, AP_SENS_PUBLIC, &err) < 0
        || ap_paths_compute(&paths, g, a, targets, nt, &po, &err) < 0
        || ap_diagram_paths(&d, g, a, paths, &err) < 0)
        ap_fuzz_fail("paths", &err);
    check_diagram(g, d, formats & 1);
    ap_diagram_free(d);
    ap_paths_free(paths);
    free(targets);
    /* offboard */
    ap_offboard_opts oo = { AP_SENS_INTERNAL, false, 0, false, false, 0 };
    ap_offboard *o = NULL;
    if (ap_offboard_compute(&o, g, p, &oo, &err) < 0
        || ap_diagram_offboard(&d, g, a, o, &err) < 0)
        ap_fuzz_fail("offboard", &err);
    check_diagram(g, d, 1);
    ap_diagram_free(d);
    ap_offboard_free(o);
    /* delegation around the partner */
    ap_delegation *dl = NULL;
    if (ap_delegation_compute(&dl, g, p, &err) < 0
        || ap_diagram_delegation(&d, g, dl, p, &err) < 0)
        ap_fuzz_fail("delegation", &err);
    check_diagram(g, d, formats & 1);
    ap_diagram_free(d);
    ap_delegation_free(dl);
    if (!full) {
        ap_blast_free(b);
        ap_authority_free(a);
        return;
    }
    /* what-if (the catalogue twice: the first partner only): revoke what the partner reaches
     * first, grant it the last node */
    ap_whatif_opts wo;
    ap_whatif *wi = NULL;
    ap_edge_spec grant;
    memset(&wo, 0, sizeof wo);
    uint32_t revoke = a->nreach > 0 ? a->reach[0] : UINT32_MAX;
    if (revoke != UINT32_MAX && ap_graph_node(g, revoke)->kind != AP_KIND_PARTNER) {
        wo.revoke_nodes = &revoke;
        wo.nrevoke_nodes = 1;
    }
    char spec[64];
    uint32_t last = ap_graph_node_count(g) - 1;
    if (strchr(ap_graph_node(g, p)->id, ' ') == NULL && strchr(ap_graph_node(g, last)->id, '-')
        == NULL && strlen(ap_graph_node(g, p)->id) + strlen(ap_graph_node(g, last)->id) < 40) {
        snprintf(spec, sizeof spec, "%s -access[read]-> %s", ap_graph_node(g, p)->id,
                 ap_graph_node(g, last)->id);
        if (ap_whatif_parse_grant(&grant, g, spec, &err) == AP_OK) {
            wo.grants = &grant;
            wo.ngrants = 1;
        }
    }
    if (ap_whatif_compute(&wi, g, p, &wo, &err) < 0)
        ap_fuzz_fail("what-if", &err);
    ap_whatif_free(wi);
    ap_forecast *fc = NULL;
    if (ap_forecast_compute(&fc, g, &p, 1, AP_FUZZ_AT + 86400 * 400, &err) < 0)
        ap_fuzz_fail("forecast", &err);
    ap_forecast_free(fc);
    ap_blast_free(b);
    ap_authority_free(a);
}

static void query(ap_store *st, unsigned formats)
{
    ap_graph *g = NULL;
    ap_delegation *dl = NULL;
    ap_diagram *d = NULL;
    ap_snapdiff *sd = NULL;
    ap_error err;
    uint32_t done = 0;
    if (ap_graph_load(&g, st, 0, AP_FUZZ_AT, &err) < 0)
        ap_fuzz_fail("loading what was imported", &err);
    inventory(g);
    findings(g);
    export(g);
    if (ap_snapdiff_compute(&sd, g, g, NULL, 1, &err) < 0)
        ap_fuzz_fail("diff", &err);
    ap_snapdiff_free(sd);
    if (ap_delegation_compute(&dl, g, -1, &err) < 0
        || ap_diagram_delegation(&d, g, dl, -1, &err) < 0)
        ap_fuzz_fail("delegation", &err);
    check_diagram(g, d, 1);
    ap_diagram_free(d);
    ap_delegation_free(dl);
    for (uint32_t v = 0; v < ap_graph_node_count(g) && done < 2; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER) {
            partner(g, v, done == 0 ? formats : 1, done == 0);
            done++;
        }
    ap_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes in = { data, size };
    ap_store *st = NULL;
    ap_error err;
    ap_error_list more;
    ap_import_opts opts = { .format = AP_FORMAT_NATIVE, .created = AP_FUZZ_AT, .more = &more };
    int64_t snap = 0;
    unsigned n = 0;
    /* the first bytes: which formats to render. DOT always (in-process); SVG, PNG and PDF
     * start a renderer process (0.2 s to seconds under ASan on a loaded machine: Graphviz
     * loads its plugins and fonts), so one input in eight also renders the first partner's
     * authority diagram in one of them: SVG mostly, PNG or PDF one time in eight each */
    unsigned formats = 1;
    if (take(&in, 8) == 0) {
        unsigned f = take(&in, 8);
        formats |= f == 0 ? 4 : f == 1 ? 8 : 2;
    }
    char *json = estate(&in, &n);
    if (json == NULL)
        return 0;
    const char *path = ap_fuzz_path(0, (const uint8_t *)json, strlen(json));
    memset(&more, 0, sizeof more);
    memset(&err, 0, sizeof err);
    ap_igraph_init();
    if (ap_store_open(&st, ":memory:", &err) < 0)
        ap_fuzz_fail("opening a store", &err);
    int rc = ap_import_files(st, &path, 1, &opts, &snap, &err);
    if (rc == AP_OK)
        query(st, formats);
    else if (rc != AP_EINPUT || err.msg[0] == '\0')
        ap_fuzz_fail("import", &err);
    ap_store_close(st);
    free(json);
    return 0;
}
