/* cli/cmd_inventory.c: `authpath inventory`: every partner, identity and credential with who
 * owns it, who sponsors it, why it exists, its state at --at, when it expires, when it was last
 * used and which partners hold or act through it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authpath/inventory.h"
#include "cli.h"

typedef struct {
    unsigned kinds;         /* bit per ap_kind; 0: partner, identity, credential */
    unsigned states;        /* bit per ap_effective_state; 0: any */
    int64_t expiring;       /* seconds; -1: no filter */
} inv_filter;

static bool wanted(const cli_ctx *ctx, const inv_filter *f, uint32_t v)
{
    const ap_node *nd = ap_graph_node(ctx->g, v);
    unsigned kinds = f->kinds ? f->kinds : (1u << AP_KIND_PARTNER) | (1u << AP_KIND_IDENTITY)
                                           | (1u << AP_KIND_CREDENTIAL);
    if (!(kinds >> nd->kind & 1))
        return false;
    if (f->states && !(f->states >> ap_node_effective_state(ctx->g, v) & 1))
        return false;
    if (f->expiring >= 0) {
        int64_t at = ap_graph_at(ctx->g);
        if (nd->expires == AP_TIME_NONE || nd->expires < at || nd->expires > at + f->expiring)
            return false;
    }
    return true;
}

static int parse_filter(inv_filter *f, int opt, const char *arg)
{
    if (opt == 'k') {
        ap_kind k = ap_kind_parse(arg);
        if (k == AP_KIND_NONE) {
            cli_errorf("--kind: unknown kind '%s' (expected one of %s)", arg, AP_KIND_NAMES);
            return EXIT_USAGE;
        }
        f->kinds |= 1u << k;
    } else if (opt == 's') {
        ap_effective_state s = ap_effective_state_parse(arg);
        if (s == AP_EFF_NONE) {
            cli_errorf("--state: unknown state '%s' (expected one of %s)", arg,
                       AP_EFFECTIVE_STATE_NAMES);
            return EXIT_USAGE;
        }
        f->states |= 1u << s;
    } else if (opt == 'e') {
        long long days;
        if (cli_number("--expiring: days", arg, 0, 100000, &days) != EXIT_OK)
            return EXIT_USAGE;
        f->expiring = (int64_t)days * 86400;
    } else {
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static const char *const head[] = { "KIND", "ID", "NAME", "OWNER", "SPONSOR", "PURPOSE",
                                    "STATE", "EXPIRES", "LAST_USED", "PARTNERS" };
static const char *const keys[] = { "kind", "id", "name", "owner", "sponsor", "purpose",
                                    "state", "expires", "last_used" };

/* Where the rows go: a JSON writer, CSV rows, or a table for text (its columns need every
 * row). The JSON and CSV outputs follow the estate: written a row at a time. */
typedef struct {
    const cli_ctx *ctx;
    const inv_filter *f;
    const ap_holders *holders;
    ap_json_writer *w;
    FILE *csv;
    ap_table *t;
} inv_out;

static int put_row(inv_out *x, uint32_t v, const char *const *row, ap_error *err)
{
    const ap_node *nd = ap_graph_node(x->ctx->g, v);
    const ap_holders *h = &x->holders[v];
    if (x->csv != NULL)
        return ap_csv_write_row(x->csv, row, 10, err);
    if (x->w == NULL)
        return ap_table_add(x->t, row, err);
    json_t *o = json_object(), *ps = json_array();
    for (int c = 0; c < 9; c++)
        json_object_set_new(o, keys[c], c == 7 && row[7][0] == '\0' ? json_null()
                                                                    : cli_json_str(row[c]));
    json_object_set_new(o, "declared_state", json_string(ap_state_name(nd->state)));
    json_object_set_new(o, "live", json_boolean(nd->live));
    for (uint32_t k = 0; k < h->n; k++)
        json_array_append_new(ps, json_string(ap_graph_node(x->ctx->g, h->partners[k])->id));
    json_object_set_new(o, "partners", ps);
    json_object_set_new(o, "partners_more", json_integer(h->more));
    return ap_json_writer_item(x->w, o, err);
}

/* Every wanted node in kind order of the model, then id (nodes are already sorted by id). */
static int each_row(inv_out *x, ap_error *err)
{
    const ap_graph *g = x->ctx->g;
    char *who = NULL;
    int rc = AP_OK;
    for (int kind = 0; kind < AP_KIND_COUNT && rc == AP_OK; kind++) {
        for (uint32_t v = 0; v < ap_graph_node_count(g) && rc == AP_OK; v++) {
            const ap_node *nd = ap_graph_node(g, v);
            const ap_holders *h = &x->holders[v];
            char expires[32];
            size_t size = 32;
            if ((int)nd->kind != kind || !wanted(x->ctx, x->f, v))
                continue;
            cli_time(expires, sizeof expires, nd->expires);
            /* the partners, space separated (ids hold no spaces in practice; JSON has a list),
             * then "+N more" */
            for (uint32_t k = 0; k < h->n; k++)
                size += strlen(ap_graph_node(g, h->partners[k])->id) + 1;
            free(who);
            if ((who = malloc(size)) == NULL) {
                rc = ap_error_nomem(err);
                break;
            }
            who[0] = '\0';
            for (uint32_t k = 0; k < h->n; k++) {
                if (k > 0)
                    strcat(who, " ");
                strcat(who, ap_graph_node(g, h->partners[k])->id);
            }
            if (h->more > 0)
                snprintf(who + strlen(who), 32, " +%u more", h->more);
            const char *row[10] = {
                ap_kind_name(nd->kind), nd->id, ap_graph_node_str(g, v, "name"),
                ap_graph_node_str(g, v, "owner"), ap_graph_node_str(g, v, "sponsor"),
                ap_graph_node_str(g, v, "purpose"),
                ap_effective_state_name(ap_node_effective_state(g, v)), expires,
                ap_graph_node_str(g, v, "last_used"), who,
            };
            rc = put_row(x, v, row, err);
        }
    }
    free(who);
    return rc;
}

/* For cli_stream: {"at", "snapshot", "inventory": [...]}. */
static int write_json(FILE *out, void *arg, ap_error *err)
{
    inv_out *x = arg;
    json_t *root = json_object();
    char at[32];
    int rc;
    ap_time_format(at, sizeof at, ap_graph_at(x->ctx->g));
    json_object_set_new(root, "at", json_string(at));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(x->ctx->g)));
    json_object_set_new(root, "inventory", json_array());
    if ((rc = ap_json_writer_new(&x->w, out, root, err)) == AP_OK
        && (rc = ap_json_writer_array(x->w, "inventory", err)) == AP_OK
        && (rc = each_row(x, err)) == AP_OK && (rc = ap_json_writer_close(x->w, err)) == AP_OK)
        rc = ap_json_writer_finish(x->w, err);
    ap_json_writer_free(x->w);
    x->w = NULL;
    return rc;
}

/* For cli_stream: the header, then a row per node. */
static int write_csv(FILE *out, void *arg, ap_error *err)
{
    inv_out *x = arg;
    int rc;
    x->csv = out;
    if ((rc = ap_csv_write_row(out, head, 10, err)) == AP_OK)
        rc = each_row(x, err);
    x->csv = NULL;
    return rc;
}

int cmd_inventory(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "kind", required_argument, NULL, 'k' },
        { "state", required_argument, NULL, 's' },
        { "expiring", required_argument, NULL, 'e' },
        { "all", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("inventory");
    inv_filter f = { 0, 0, -1 };
    uint32_t max = CLI_LIST_MAX;    /* partners listed per node; --all: every one */
    const char *format;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 'a') {
            max = UINT32_MAX;
            continue;
        }
        if (opt == '?' || parse_filter(&f, opt, optarg) != EXIT_OK)
            return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;

    ap_holders *holders = NULL;
    ap_error err;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (ap_inventory_holders(&holders, ctx->g, max, cpus < 1 ? 1u : (unsigned)cpus, &err) < 0)
        return cli_fail(&err, NULL);
    inv_out x = { ctx, &f, holders, NULL, NULL, NULL };
    if (strcmp(format, "json") == 0) {
        rc = cli_stream(write_json, &x);
    } else if (strcmp(format, "csv") == 0) {
        rc = cli_stream(write_csv, &x);
    } else if (ap_table_new(&x.t, 10, head, &err) < 0 || each_row(&x, &err) < 0) {
        rc = cli_fail(&err, NULL);
    } else {
        rc = cli_print_table(x.t, format);
    }
    ap_holders_free(holders, ap_graph_node_count(ctx->g));
    ap_table_free(x.t);
    return rc;
}
