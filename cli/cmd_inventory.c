/* cli/cmd_inventory.c: `authpath inventory`: every partner, identity and credential with who
 * owns it, who sponsors it, why it exists, its state and when it expires. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    unsigned kinds;         /* bit per ap_kind; 0: partner, identity, credential */
    unsigned states;        /* bit per ap_state; 0: any */
    int64_t expiring;       /* seconds; -1: no filter */
} inv_filter;

static bool wanted(const cli_ctx *ctx, const inv_filter *f, const ap_node *nd)
{
    unsigned kinds = f->kinds ? f->kinds : (1u << AP_KIND_PARTNER) | (1u << AP_KIND_IDENTITY)
                                           | (1u << AP_KIND_CREDENTIAL);
    if (!(kinds >> nd->kind & 1))
        return false;
    if (f->states && !(f->states >> nd->state & 1))
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
        ap_state s = ap_state_parse(arg);
        if (s == AP_STATE_NONE) {
            cli_errorf("--state: unknown state '%s' (expected one of %s)", arg, AP_STATE_NAMES);
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

int cmd_inventory(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "kind", required_argument, NULL, 'k' },
        { "state", required_argument, NULL, 's' },
        { "expiring", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const head[] = { "KIND", "ID", "NAME", "OWNER", "SPONSOR", "PURPOSE",
                                        "STATE", "EXPIRES" };
    static const char *const keys[] = { "kind", "id", "name", "owner", "sponsor", "purpose",
                                        "state", "expires" };
    const cli_cmd *self = cli_command("inventory");
    inv_filter f = { 0, 0, -1 };
    const char *format;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
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

    json_t *items = json_array();
    ap_table *t = NULL;
    ap_error err;
    if (ap_table_new(&t, 8, head, &err) < 0)
        return cli_fail(&err, NULL);
    /* kind order of the model, then id: nodes are already sorted by id */
    for (int kind = 0; kind < AP_KIND_COUNT; kind++) {
        for (uint32_t v = 0; v < ap_graph_node_count(ctx->g); v++) {
            const ap_node *nd = ap_graph_node(ctx->g, v);
            char expires[32];
            if ((int)nd->kind != kind || !wanted(ctx, &f, nd))
                continue;
            cli_time(expires, sizeof expires, nd->expires);
            const char *row[8] = {
                ap_kind_name(nd->kind), nd->id, ap_graph_node_str(ctx->g, v, "name"),
                ap_graph_node_str(ctx->g, v, "owner"), ap_graph_node_str(ctx->g, v, "sponsor"),
                ap_graph_node_str(ctx->g, v, "purpose"), ap_state_name(nd->state), expires,
            };
            if (strcmp(format, "json") == 0) {
                json_t *o = json_object();
                for (int c = 0; c < 8; c++)
                    json_object_set_new(o, keys[c], c == 7 && expires[0] == '\0'
                                                        ? json_null() : cli_json_str(row[c]));
                json_object_set_new(o, "live", json_boolean(nd->live));
                json_array_append_new(items, o);
            } else if (ap_table_add(t, row, &err) < 0) {
                json_decref(items);
                ap_table_free(t);
                return cli_fail(&err, NULL);
            }
        }
    }
    if (strcmp(format, "json") == 0) {
        char at[32];
        json_t *root = json_object();
        ap_time_format(at, sizeof at, ap_graph_at(ctx->g));
        json_object_set_new(root, "at", json_string(at));
        json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(ctx->g)));
        json_object_set_new(root, "inventory", items);
        rc = cli_print_json(root);
    } else {
        json_decref(items);
        rc = cli_print_table(t, format);
    }
    ap_table_free(t);
    return rc;
}
