/* cli/cmd_authority.c: `authority PARTNER` (everything a partner reaches, with rights, hops and
 * the witness path) and `explain PARTNER TARGET` (that path as one sentence). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "cli.h"

/* Parse --evidence and the global options; the positional arguments stay in argv[optind...]. */
static int plain_options(cli_ctx *ctx, const cli_cmd *self, int argc, char **argv, int nargs,
                         bool *evidence)
{
    static const struct option opts[] = {
        { "evidence", no_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    *evidence = false;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == 'e') {
            *evidence = true;
            continue;
        }
        return opt == CLI_HELP ? -1 : EXIT_USAGE;
    }
    if (argc - optind != nargs) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* v's witness path (ap_authority_path) as an owned array; *len 0 and NULL when none or out of
 * memory. */
static uint32_t *witness(const ap_graph *g, const ap_authority *a, uint32_t v, size_t *len)
{
    uint32_t *path;
    *len = ap_authority_path(a, g, v, NULL, 0);
    if (*len == 0 || (path = malloc(*len * sizeof *path)) == NULL) {
        *len = 0;
        return NULL;
    }
    ap_authority_path(a, g, v, path, *len);
    return path;
}

static json_t *path_json(const ap_graph *g, const ap_authority *a, uint32_t v)
{
    size_t len;
    uint32_t *path = witness(g, a, v, &len);
    json_t *arr = path != NULL ? cli_json_chain(g, a, path, len) : json_array();
    free(path);
    return arr;
}

/* What v's witness path delivers when replayed. */
static json_t *path_rights(const ap_graph *g, const ap_authority *a, uint32_t v)
{
    size_t len;
    uint32_t *path = witness(g, a, v, &len);
    ap_rights got = path != NULL ? ap_authority_replay(g, a, path, len, NULL) : 0;
    free(path);
    return cli_json_rights(ap_graph_vocab(g), got);
}

typedef struct {
    const ap_graph *g;
    const ap_authority *a;
} reach_item_ctx;

/* One reached node of `authority --format json`, with its chain. */
static json_t *reach_item(void *arg, size_t k, size_t i, bool *skip)
{
    const reach_item_ctx *c = arg;
    uint32_t v = c->a->reach[i];
    json_t *o = json_object();
    (void)k;
    (void)skip;
    json_object_set_new(o, "id", json_string(ap_graph_node(c->g, v)->id));
    json_object_set_new(o, "kind", json_string(ap_kind_name(ap_graph_node(c->g, v)->kind)));
    json_object_set_new(o, "rights", cli_json_rights(ap_graph_vocab(c->g), c->a->rights[v]));
    json_object_set_new(o, "hops", json_integer(c->a->hops[v]));
    size_t len;
    uint32_t *path = witness(c->g, c->a, v, &len);
    if (path != NULL)
        cli_json_chain_cut(o, c->g, c->a, path, len);
    else
        json_object_set_new(o, "path", json_array());
    free(path);
    json_object_set_new(o, "path_rights", path_rights(c->g, c->a, v));
    return o;
}

/* "partner > key > svc" for the text and CSV forms, with " [read]" when the chain carries less
 * than the node holds (explain shows the rest); "" for a node without a chain; NULL only when
 * memory ran out. */
static char *path_text(const ap_graph *g, const ap_authority *a, uint32_t v)
{
    size_t len;
    uint32_t *path = witness(g, a, v, &len);
    const ap_vocab *voc = ap_graph_vocab(g);
    char *s = NULL, *chain, rights[1024] = "";
    if (path == NULL)
        return ap_authority_path(a, g, v, NULL, 0) == 0 ? strdup("") : NULL;
    ap_rights got = ap_authority_replay(g, a, path, len, NULL) & ap_vocab_all(voc);
    if (got != (a->rights[v] & ap_vocab_all(voc)))
        ap_rights_format(rights, sizeof rights, voc, got, ",", true);
    if ((chain = cli_path_text(g, a->source, path, (uint32_t)len)) != NULL
        && (s = malloc(strlen(chain) + strlen(rights) + 4)) != NULL)
        sprintf(s, rights[0] != '\0' ? "%s [%s]" : "%s%s", chain, rights);
    free(chain);
    free(path);
    return s;
}

/* --evidence after the table: each reached node's path, step by step, with sources. */
static void authority_evidence(const ap_graph *g, const ap_authority *a)
{
    printf("\nevidence:\n");
    for (uint32_t i = 0; i < a->nreach; i++) {
        size_t len;
        uint32_t *path = witness(g, a, a->reach[i], &len);
        printf("  ");
        cli_put(ap_graph_node(g, a->reach[i])->id);
        printf(":\n");
        cli_print_chain_evidence(g, a, path, len, 4);
        free(path);
    }
}

typedef struct {
    const ap_graph *g;
    const ap_authority *a;
} csv_ctx;

/* Room for size bytes and a NUL in *buf (grown; the caller frees it): -1 when out of memory. */
static int reserve(char **buf, size_t *cap, size_t size)
{
    if (size + 1 > *cap) {
        size_t want = size + 1 > 2 * *cap ? size + 1 : 2 * *cap;
        char *b = realloc(*buf, want);
        if (b == NULL)
            return -1;
        *buf = b;
        *cap = want;
    }
    return 0;
}

/* A text being built at *at in *buf (grown): -1 when out of memory. */
static int put(char **buf, size_t *cap, size_t *at, const char *s, size_t len)
{
    if (reserve(buf, cap, *at + len) < 0)
        return -1;
    memcpy(*buf + *at, s, len);
    *at += len;
    (*buf)[*at] = '\0';
    return 0;
}

/* What authority_csv keeps from row to row: a row costs its cells, and allocates nothing once
 * the buffers have grown. */
typedef struct {
    const ap_graph *g;
    const ap_authority *a;
    ap_witnesses *w;
    const char **id;        /* per row of arrivals: its node's id, once a chain names it */
    uint32_t *idlen;
    char *path, *name;
    size_t pathcap, namecap;
} csv_rows;

/* path_text's for v, from its witness's nodes and what they deliver replayed, into r->path. */
static int chain_text(csv_rows *r, uint32_t v, const uint32_t *nodes, uint32_t n, ap_rights got)
{
    const ap_vocab *voc = ap_graph_vocab(r->g);
    char rights[1024];
    size_t at = 0, size = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = r->a->row[nodes[i]];     /* a chain's nodes are all reached */
        if (r->id[row] == NULL) {
            r->id[row] = ap_graph_node(r->g, nodes[i])->id;
            r->idlen[row] = (uint32_t)strlen(r->id[row]);
        }
        size += r->idlen[row] + 3;
    }
    /* room for the nodes' text at once, then copied in without a check per node */
    if (reserve(&r->path, &r->pathcap, size) < 0)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = r->a->row[nodes[i]];
        if (i > 0) {
            memcpy(r->path + at, " > ", 3);
            at += 3;
        }
        memcpy(r->path + at, r->id[row], r->idlen[row]);
        at += r->idlen[row];
    }
    r->path[at] = '\0';
    got &= ap_vocab_all(voc);
    if (n > 0 && got != (r->a->rights[v] & ap_vocab_all(voc))) {
        ap_rights_format(rights, sizeof rights, voc, got, ",", true);
        if (put(&r->path, &r->pathcap, &at, " [", 2) < 0
            || put(&r->path, &r->pathcap, &at, rights, strlen(rights)) < 0
            || put(&r->path, &r->pathcap, &at, "]", 1) < 0)
            return -1;
    }
    return 0;
}

/* `authority --format csv`, a row at a time into cli_stream's temporary file (no column widths
 * to wait for, memory does not grow with the output), so that stdout gets the table whole or
 * not at all: a row whose chain cannot be written (out of memory) fails the answer instead of
 * printing a row without its chain, and a run cut short leaves nothing on stdout. Each chain
 * is its tail's and a step (ap_witnesses), the name read without keeping the node's parsed
 * attributes, the hops and rights formatted again only when they change (the rows come by
 * hops). */
static int authority_csv(FILE *out, void *arg, ap_error *err)
{
    static const char *const head[] = { "HOPS", "KIND", "ID", "NAME", "RIGHTS", "PATH" };
    const csv_ctx *c = arg;
    const ap_vocab *voc = ap_graph_vocab(c->g);
    csv_rows r = { c->g, c->a, NULL, NULL, NULL, NULL, NULL, 0, 0 };
    char hops[16] = "", rights[1024] = "";
    ap_rights shown = 0;        /* what rights says */
    uint32_t said = AP_UNREACHED;   /* what hops says */
    int rc;
    if ((rc = ap_csv_write_row(out, head, 6, err)) < 0
        || (rc = ap_witnesses_new(&r.w, c->g, c->a, err)) < 0)
        return rc;
    if ((r.id = calloc((size_t)c->a->nreach + 1, sizeof *r.id)) == NULL
        || (r.idlen = malloc(((size_t)c->a->nreach + 1) * sizeof *r.idlen)) == NULL)
        rc = ap_error_nomem(err);
    for (uint32_t i = 0; i < c->a->nreach && rc == AP_OK; i++) {
        uint32_t v = c->a->reach[i], n;
        const uint32_t *nodes;
        ap_rights got;
        int named;
        if ((rc = ap_witnesses_get(r.w, v, &nodes, &n, &got, err)) < 0)
            break;
        if (chain_text(&r, v, nodes, n, got) < 0) {
            rc = ap_error_nomem(err);       /* no row without its chain */
            break;
        }
        if ((named = ap_graph_node_str_copy(&r.name, &r.namecap, c->g, v, "name", err)) < 0) {
            rc = named;
            break;
        }
        if (i == 0 || c->a->hops[v] != said)
            snprintf(hops, sizeof hops, "%u", said = c->a->hops[v]);
        if (i == 0 || c->a->rights[v] != shown)
            ap_rights_format(rights, sizeof rights, voc, shown = c->a->rights[v], "|", true);
        const char *row[] = { hops, ap_kind_name(ap_graph_node(c->g, v)->kind),
                              ap_graph_node(c->g, v)->id, named ? r.name : "", rights, r.path };
        rc = ap_csv_write_row(out, row, 6, err);
    }
    free(r.path);
    free(r.name);
    free(r.id);
    free(r.idlen);
    ap_witnesses_free(r.w);
    return rc;
}

/* The rounds read edges in place (ap_graph_edge_fields): an output that names the chains'
 * edges (JSON, evidence, diagrams) has their records built, their strings checked, before the
 * graph is found intact. A chain crosses only the edges of arrivals. */
static void build_chain_edges(const ap_graph *g, const ap_authority *a)
{
    for (size_t i = 0; i < (size_t)(a->nreach + 1) * a->nclasses; i++)
        if (a->arrivals[i].edge != AP_UNREACHED)
            (void)ap_graph_edge(g, a->arrivals[i].edge);
}

int cmd_authority(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("authority");
    const char *format;
    ap_authority *a = NULL;
    ap_error err;
    int64_t p;
    bool evidence;
    int rc;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--observed") == 0)        /* marked with observed use */
            return cli_authority_observed(ctx, argc, argv);
    if ((rc = plain_options(ctx, self, argc, argv, 1, &evidence)) != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if ((format = cli_format(ctx, "text,json,csv,dot,svg,png,pdf")) == NULL
        || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if ((rc = cli_load_graph_partial(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_node(ctx, argv[optind], "node")) < 0)
        return EXIT_USAGE;
    if (ap_authority_compute(&a, ctx->g, (uint32_t)p, &err) < 0)
        return cli_fail(&err, NULL);
    if (evidence || (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0))
        build_chain_edges(ctx->g, a);
    if ((rc = cli_graph_intact(ctx)) != EXIT_OK) {
        ap_authority_free(a);
        return rc;
    }
    const ap_vocab *voc = ap_graph_vocab(ctx->g);
    if (cli_is_diagram_format(format)) {
        ap_diagram *d = NULL;
        rc = ap_diagram_authority(&d, ctx->g, a, &err) < 0 ? cli_fail(&err, NULL)
                                                           : cli_write_diagram(ctx->g, d, format);
        ap_diagram_free(d);
    } else if (strcmp(format, "json") == 0) {
        char at[32];
        json_t *root = json_object();
        reach_item_ctx rc_ctx = { ctx->g, a };
        ap_time_format(at, sizeof at, ap_graph_at(ctx->g));
        json_object_set_new(root, "partner", json_string(ap_graph_node(ctx->g, (uint32_t)p)->id));
        json_object_set_new(root, "at", json_string(at));
        json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(ctx->g)));
        json_object_set_new(root, "reach", json_array());
        /* streamed: a partner that reaches a long cycle has chains of quadratic total size;
         * through a temporary file, whole or not at all */
        static const char *const keys[] = { "reach" };
        const size_t n[] = { a->nreach };
        rc = cli_stream_json(root, keys, n, 1, 4, reach_item, &rc_ctx);
    } else if (strcmp(format, "csv") == 0) {
        csv_ctx cc = { ctx->g, a };
        rc = cli_stream(authority_csv, &cc);
    } else {
        static const char *const head[] = { "HOPS", "KIND", "ID", "NAME", "RIGHTS", "PATH" };
        ap_table *t = NULL;
        if (ap_table_new(&t, 6, head, &err) < 0) {
            ap_authority_free(a);
            return cli_fail(&err, NULL);
        }
        rc = AP_OK;
        for (uint32_t i = 0; i < a->nreach && rc == AP_OK; i++) {
            uint32_t v = a->reach[i];
            char hops[16], rights[1024];
            char *path = path_text(ctx->g, a, v);
            if (path == NULL) {             /* out of memory: no row without its chain */
                rc = ap_error_nomem(&err);
                break;
            }
            snprintf(hops, sizeof hops, "%u", a->hops[v]);
            ap_rights_format(rights, sizeof rights, voc, a->rights[v], ",", true);
            const char *row[] = { hops, ap_kind_name(ap_graph_node(ctx->g, v)->kind),
                                  ap_graph_node(ctx->g, v)->id,
                                  ap_graph_node_str(ctx->g, v, "name"), rights, path };
            rc = ap_table_add(t, row, &err);
            free(path);
        }
        rc = rc < 0 ? cli_fail(&err, NULL) : cli_print_table(t, format);
        ap_table_free(t);
        if (rc == EXIT_OK && evidence)
            authority_evidence(ctx->g, a);
    }
    ap_authority_free(a);
    return rc;
}

int cmd_explain(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("explain");
    const char *format;
    ap_authority *a = NULL;
    ap_explanation *x = NULL;
    size_t nx = 0;
    ap_error err;
    int64_t p, v;
    bool evidence;
    int rc;
    if ((rc = plain_options(ctx, self, argc, argv, 2, &evidence)) != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if ((format = cli_format(ctx, "text,json")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph_partial(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_node(ctx, argv[optind], "node")) < 0
        || (v = cli_find_node(ctx, argv[optind + 1], "node")) < 0)
        return EXIT_USAGE;
    /* only what can reach the target bears on its explanations */
    if (ap_authority_compute_to(&a, ctx->g, (uint32_t)p, (uint32_t)v, &err) < 0)
        return cli_fail(&err, NULL);
    if (ap_explain_all(&x, &nx, ctx->g, a, (uint32_t)v, &err) < 0) {
        ap_authority_free(a);
        return cli_fail(&err, NULL);
    }
    if ((rc = cli_graph_intact(ctx)) != EXIT_OK) {
        ap_explanations_free(x, nx);
        ap_authority_free(a);
        return rc;
    }
    const ap_vocab *voc = ap_graph_vocab(ctx->g);
    if (strcmp(format, "json") == 0) {
        json_t *root = json_object(), *list = json_array();
        json_object_set_new(root, "partner", json_string(ap_graph_node(ctx->g, (uint32_t)p)->id));
        json_object_set_new(root, "target", json_string(argv[optind + 1]));
        json_object_set_new(root, "rights", cli_json_rights(voc, a->rights[v]));
        json_object_set_new(root, "hops", json_integer(a->hops[v]));
        json_object_set_new(root, "path", path_json(ctx->g, a, (uint32_t)v));
        json_object_set_new(root, "path_rights", path_rights(ctx->g, a, (uint32_t)v));
        json_object_set_new(root, "sentence", json_string(x[0].sentence));
        for (size_t i = 0; i < nx; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "rights", cli_json_rights(voc, x[i].rights));
            json_object_set_new(o, "path", cli_json_chain(ctx->g, a, x[i].edges, x[i].len));
            json_object_set_new(o, "sentence", json_string(x[i].sentence));
            json_array_append_new(list, o);
        }
        json_object_set_new(root, "explanations", list);
        rc = cli_print_json(root);
    } else {
        for (size_t i = 0; i < nx; i++) {
            char *shown = ap_text_escape(x[i].sentence);
            const ap_edge *last = ap_graph_edge(ctx->g, x[i].edges[x[i].len - 1]);
            char rights[1024] = "";
            /* several sentences: each says what it carries, when its last verb does not */
            if (nx > 1 && strstr(ap_edge_kind_info_of(last->kind)->sentence, "{rights}") == NULL)
                ap_rights_format(rights, sizeof rights, voc, x[i].rights, ", ", true);
            printf(rights[0] != '\0' ? "%s (carrying %s).\n" : "%s%s.\n",
                   shown != NULL ? shown : x[i].sentence, rights);
            free(shown);
            if (evidence)
                cli_print_chain_evidence(ctx->g, a, x[i].edges, x[i].len, 2);
        }
    }
    ap_explanations_free(x, nx);
    ap_authority_free(a);
    return rc;
}
