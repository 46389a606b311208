/* cli/cmd_demo.c: `authpath demo [SAMPLES_DIR]`: imports the sample estate into the database
 * (a new snapshot) and shows what authpath answers about it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef AP_SAMPLES_DIR
#define AP_SAMPLES_DIR "samples"
#endif

int cmd_demo(cli_ctx *ctx, int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : AP_SAMPLES_DIR;
    char path[4096];
    char *import_argv[] = { "import", path, NULL };
    char *inv_argv[] = { "inventory", NULL };
    int rc;
    snprintf(path, sizeof path, "%s/estate.json", dir);
    printf("== Importing %s\n", path);
    fflush(stdout);
    if ((rc = cmd_import(ctx, 2, import_argv)) != EXIT_OK)
        return rc;
    printf("\n== Partners, identities and credentials (authpath inventory)\n");
    fflush(stdout);
    optind = 0;
    return cmd_inventory(ctx, 1, inv_argv);
}
