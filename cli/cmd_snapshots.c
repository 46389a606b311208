/* cli/cmd_snapshots.c: `authpath snapshots`: the snapshots in the database with their time,
 * label and files with their SHA-256, as a table, CSV or docs/json.md's JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_snapshots(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("snapshots");
    ap_snapshot_info *list = NULL;
    ap_error err;
    size_t n = 0;
    const char *format;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", NULL)) != -1)
        if (opt == CLI_HELP)
            return EXIT_OK;
        else
            return EXIT_USAGE;
    if (optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_open_store(ctx)) != EXIT_OK)
        return rc;
    if (ap_store_snapshots(&list, &n, ctx->st, &err) < 0)
        return cli_fail(&err, NULL);
    if (strcmp(format, "json") == 0) {
        json_t *arr = json_array(), *root = json_object();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(list[i].id));
            json_object_set_new(o, "created", json_string(list[i].created));
            json_object_set_new(o, "label", json_string(list[i].label));
            json_object_set_new(o, "files", json_loads(list[i].files, 0, NULL));
            json_object_set_new(o, "sources", json_loads(list[i].sources, 0, NULL));
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "snapshots", arr);
        rc = cli_print_json(root);
    } else {
        /* one row per file: inventories, then observed use, each with its SHA-256 ("-":
         * imported before authpath kept hashes) */
        static const char *const head[] = { "SNAPSHOT", "CREATED", "LABEL", "FILE", "SHA256" };
        ap_table *t = NULL;
        if (ap_table_new(&t, 5, head, &err) < 0) {
            ap_snapshot_list_free(list, n);
            return cli_fail(&err, NULL);
        }
        for (size_t i = 0; i < n; i++) {
            char id[24];
            json_t *files = json_loads(list[i].sources, 0, NULL);
            snprintf(id, sizeof id, "%lld", (long long)list[i].id);
            for (size_t k = 0; k < json_array_size(files); k++) {
                const json_t *f = json_array_get(files, k);
                const char *sha = json_string_value(json_object_get(f, "sha256"));
                const char *row[] = { id, list[i].created, list[i].label,
                                      json_string_value(json_object_get(f, "path")),
                                      sha != NULL ? sha : "-" };
                ap_table_add(t, row, &err);
            }
            if (json_array_size(files) == 0) {
                const char *row[] = { id, list[i].created, list[i].label, "", "" };
                ap_table_add(t, row, &err);
            }
            json_decref(files);
        }
        rc = cli_print_table(t, format);
        ap_table_free(t);
    }
    ap_snapshot_list_free(list, n);
    return rc;
}
