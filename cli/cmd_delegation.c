/* cli/cmd_delegation.c: `delegation [PARTNER]`: who acts for whom (third, fourth, fifth
 * parties), delegation loops, and every partner that inherits another partner's authority. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "cli.h"

/* "third", "fourth"... for a chain of depth links (a partner acting for nobody is third). */
static void party(char *buf, size_t size, uint32_t depth)
{
    static const char *const words[] = { "third", "fourth", "fifth", "sixth", "seventh",
                                         "eighth", "ninth", "tenth" };
    uint32_t n = depth + 3;
    const char *suffix = n % 100 / 10 == 1 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd"
                         : n % 10 == 3 ? "rd" : "th";
    if (depth < sizeof words / sizeof words[0])
        snprintf(buf, size, "%s", words[depth]);
    else
        snprintf(buf, size, "%u%s", n, suffix);     /* 11th, 21st, 22nd, 23rd, 111th */
}

static json_t *step_json(const ap_graph *g, uint32_t edge, const ap_rights *rights)
{
    const ap_edge *e = ap_graph_edge(g, edge);
    json_t *o = json_object();
    json_object_set_new(o, "from", json_string(ap_graph_node(g, e->from)->id));
    json_object_set_new(o, "to", json_string(ap_graph_node(g, e->to)->id));
    json_object_set_new(o, "kind", json_string(ap_edge_kind_name(e->kind)));
    json_object_set_new(o, "edge", json_string(e->id));
    json_object_set_new(o, "rights", cli_json_rights(ap_graph_vocab(g),
                                                     rights != NULL ? *rights
                                                     : ap_edge_transfer(e, AP_RIGHTS_ALL)));
    return o;
}

static json_t *chain_json(const ap_graph *g, const ap_chain *c)
{
    json_t *o = json_object(), *acts = json_array(), *links = json_array();
    char word[16];
    party(word, sizeof word, c->depth);
    json_object_set_new(o, "partner", json_string(ap_graph_node(g, c->partner)->id));
    for (uint32_t k = 0; k < c->nacts; k++) {
        json_array_append_new(acts, json_string(ap_graph_node(g, c->acts_for[k])->id));
        json_array_append_new(links, step_json(g, c->via[k], NULL));
    }
    json_object_set_new(o, "acts_for", acts);
    json_object_set_new(o, "acts_for_more", json_integer(c->nmore));
    json_object_set_new(o, "depth", json_integer(c->depth));
    json_object_set_new(o, "party", json_string(word));
    json_object_set_new(o, "links", links);
    return o;
}

static json_t *loop_json(const ap_graph *g, const ap_loop *l)
{
    json_t *ids = json_array();
    for (uint32_t k = 0; k < l->len; k++)
        json_array_append_new(ids, json_string(ap_graph_node(g, l->nodes[k])->id));
    return ids;
}

static json_t *inherit_json(const ap_graph *g, const ap_inherit *in)
{
    json_t *o = json_object(), *path = json_array();
    json_object_set_new(o, "heir", json_string(ap_graph_node(g, in->heir)->id));
    json_object_set_new(o, "from", json_string(ap_graph_node(g, in->from)->id));
    json_object_set_new(o, "rights", cli_json_rights(ap_graph_vocab(g), in->rights));
    json_object_set_new(o, "hops", json_integer(in->hops));
    for (uint32_t k = 0; k < in->npath; k++)
        json_array_append_new(path, step_json(g, in->path[k], &in->carried[k]));
    json_object_set_new(o, "path", path);
    return o;
}

typedef struct {
    const ap_graph *g;
    const ap_delegation *d;
} delegation_out;

/* Item i of list k: chains, loops, inheritance (every partner's chains follow the estate). */
static json_t *delegation_item(void *arg, size_t k, size_t i, bool *skip)
{
    const delegation_out *x = arg;
    (void)skip;
    if (k == 0)
        return chain_json(x->g, &x->d->chains[i]);
    if (k == 1)
        return loop_json(x->g, &x->d->loops[i]);
    return inherit_json(x->g, &x->d->inherits[i]);
}

/* {"chains", "loops", "inheritance", "inheritance_more"}, a list item at a time, whole or not
 * at all (cli_stream_json). */
static int print_json(const ap_graph *g, const ap_delegation *d)
{
    static const char *const keys[] = { "chains", "loops", "inheritance" };
    const size_t n[] = { d->nchains, d->nloops, d->ninherits };
    delegation_out x = { g, d };
    json_t *root = json_object();
    json_object_set_new(root, "chains", json_array());
    json_object_set_new(root, "loops", json_array());
    json_object_set_new(root, "inheritance", json_array());
    json_object_set_new(root, "inheritance_more", json_integer(d->inherits_more));
    return cli_stream_json(root, keys, n, 3, 4, delegation_item, &x);
}

/* ids joined by sep into a new string (NULL on OOM). */
static char *join(const ap_graph *g, const uint32_t *v, uint32_t n, const char *sep, bool close)
{
    size_t size = 1;
    for (uint32_t i = 0; i < n; i++)
        size += strlen(ap_graph_node(g, v[i])->id) + strlen(sep);
    if (close && n > 0)
        size += strlen(ap_graph_node(g, v[0])->id);
    char *s = malloc(size);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(s, sep);
        strcat(s, ap_graph_node(g, v[i])->id);
    }
    if (close && n > 0) {
        strcat(s, sep);
        strcat(s, ap_graph_node(g, v[0])->id);
    }
    return s;
}

static int print_table(ap_table *t, const char *title, const char *none)
{
    int rc = EXIT_OK;
    printf("%s\n", title);
    if (ap_table_rows(t) == 0)
        printf("  %s\n", none);
    else
        rc = cli_print_table(t, "text");
    ap_table_free(t);
    return rc;
}

static int delegation_text(const ap_graph *g, const ap_delegation *d)
{
    static const char *const h1[] = { "PARTNER", "PARTY", "DEPTH", "ACTS FOR (NEAREST FIRST)" };
    static const char *const h2[] = { "LOOP", "LENGTH", "PARTNERS (IN ORDER)" };
    static const char *const h3[] = { "HEIR", "FROM", "RIGHTS", "HOPS", "CHAIN" };
    ap_table *t = NULL;
    ap_error err;
    int rc;
    if (ap_table_new(&t, 4, h1, &err) < 0)
        return cli_fail(&err, NULL);
    for (uint32_t i = 0; i < d->nchains; i++) {
        const ap_chain *c = &d->chains[i];
        char word[16], depth[16];
        char *acts = join(g, c->acts_for, c->nacts, ", ", false);
        if (acts != NULL && c->nmore > 0) {
            char more[48];
            snprintf(more, sizeof more, ", +%u more", c->nmore);
            char *p = realloc(acts, strlen(acts) + strlen(more) + 1);
            if (p != NULL)
                strcat(p, more);
            acts = p;
        }
        party(word, sizeof word, c->depth);
        snprintf(depth, sizeof depth, "%u", c->depth);
        const char *row[] = { ap_graph_node(g, c->partner)->id, word, depth, acts };
        ap_table_add(t, row, &err);
        free(acts);
    }
    if ((rc = print_table(t, "Chains (subcontractor_of, admin_of):", "no partner acts for "
                          "another")) != EXIT_OK)
        return rc;
    if (ap_table_new(&t, 3, h2, &err) < 0)
        return cli_fail(&err, NULL);
    for (uint32_t i = 0; i < d->nloops; i++) {
        char num[16], len[16];
        char *ids = join(g, d->loops[i].nodes, d->loops[i].len, " > ", true);
        snprintf(num, sizeof num, "%u", i + 1);
        snprintf(len, sizeof len, "%u", d->loops[i].len);
        const char *row[] = { num, len, ids };
        ap_table_add(t, row, &err);
        free(ids);
    }
    printf("\n");
    if ((rc = print_table(t, "Loops:", "no delegation loops")) != EXIT_OK)
        return rc;
    if (ap_table_new(&t, 5, h3, &err) < 0)
        return cli_fail(&err, NULL);
    for (uint32_t i = 0; i < d->ninherits; i++) {
        const ap_inherit *in = &d->inherits[i];
        uint32_t *nodes = malloc(((size_t)in->npath + 1) * sizeof *nodes);
        char rights[1024], hops[16], *chain = NULL;
        if (nodes != NULL) {
            nodes[0] = in->heir;
            for (uint32_t k = 0; k < in->npath; k++)
                nodes[k + 1] = ap_graph_edge(g, in->path[k])->to;
            chain = join(g, nodes, in->npath + 1, " > ", false);
        }
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), in->rights, ",", true);
        snprintf(hops, sizeof hops, "%u", in->hops);
        const char *row[] = { ap_graph_node(g, in->heir)->id, ap_graph_node(g, in->from)->id,
                              rights, hops, chain };
        ap_table_add(t, row, &err);
        free(chain);
        free(nodes);
    }
    printf("\n");
    if ((rc = print_table(t, "Inheritance (a partner holding another partner's authority):",
                          "no partner inherits another's authority")) != EXIT_OK)
        return rc;
    if (d->inherits_more > 0)
        printf("  +%u more (heir, from) pairs not listed: each heir's %d nearest are\n",
               d->inherits_more, AP_DELEGATION_MAX_LIST);
    return EXIT_OK;
}

int cmd_delegation(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("delegation");
    const char *format;
    ap_delegation *d = NULL;
    ap_diagram *dg = NULL;
    ap_error err;
    int64_t p = -1;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", NULL)) != -1)
        return opt == CLI_HELP ? EXIT_OK : EXIT_USAGE;
    if (argc - optind > 1) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,dot,svg,png,pdf")) == NULL
        || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if (optind < argc && (p = cli_find_partner(ctx, argv[optind])) < 0)
        return EXIT_USAGE;
    if (ap_delegation_compute(&d, ctx->g, p, &err) < 0)
        return cli_fail(&err, NULL);
    if (cli_is_diagram_format(format)) {
        if (ap_diagram_delegation(&dg, ctx->g, d, p, &err) < 0)
            rc = cli_fail(&err, NULL);
        else
            rc = cli_write_diagram(ctx->g, dg, format);
    } else if (strcmp(format, "json") == 0) {
        rc = print_json(ctx->g, d);
    } else {
        rc = delegation_text(ctx->g, d);
    }
    ap_diagram_free(dg);
    ap_delegation_free(d);
    return rc;
}
