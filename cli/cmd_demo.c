/* cli/cmd_demo.c: `authpath demo [SAMPLES_DIR]`: imports the sample estate into the database
 * (a new snapshot), ranks the partners and explains the most dangerous path in one sentence. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "cli.h"

#ifndef AP_SAMPLES_DIR
#define AP_SAMPLES_DIR "samples"
#endif

/* The most dangerous path: the top partner's highest-scoring target, nearest first. */
static int explain_top(cli_ctx *ctx)
{
    ap_weights w;
    ap_authority *best = NULL;
    int64_t best_score = -1;
    uint32_t target = AP_UNREACHED;
    ap_error err;
    ap_weights_default(&w);
    for (uint32_t p = 0; p < ap_graph_node_count(ctx->g); p++) {
        ap_authority *a = NULL;
        ap_blast *b = NULL;
        if (ap_graph_node(ctx->g, p)->kind != AP_KIND_PARTNER)
            continue;
        if (ap_authority_compute(&a, ctx->g, p, &err) < 0
            || ap_blast_compute(&b, ctx->g, a, &w, &err) < 0) {
            ap_authority_free(a);
            ap_authority_free(best);
            return cli_fail(&err, NULL);
        }
        if (b->score > best_score) {        /* partners come in id order: ties keep the first */
            best_score = b->score;
            ap_authority_free(best);
            best = a;
            a = NULL;
        }
        ap_blast_free(b);
        ap_authority_free(a);
    }
    if (best == NULL)
        return EXIT_OK;
    int64_t top = -1;
    for (uint32_t i = 0; i < best->nreach; i++) {     /* reach is by hops, then id */
        int64_t s = ap_blast_node_score(ctx->g, best->reach[i], best->rights[best->reach[i]], &w);
        if (s > top) {
            top = s;
            target = best->reach[i];
        }
    }
    if (target != AP_UNREACHED) {
        ap_explanation *x = NULL;
        size_t nx = 0;
        if (ap_explain_all(&x, &nx, ctx->g, best, target, &err) < 0) {
            ap_authority_free(best);
            return cli_fail(&err, NULL);
        }
        fputs("\n== The most dangerous path (authpath explain ", stdout);
        cli_put(ap_graph_node(ctx->g, best->source)->id);
        fputs(" ", stdout);
        cli_put(ap_graph_node(ctx->g, target)->id);
        fputs(")\n", stdout);
        for (size_t i = 0; i < nx; i++) {
            char *shown = ap_text_escape(x[i].sentence);
            printf("%s.\n", shown != NULL ? shown : x[i].sentence);
            free(shown);
        }
        ap_explanations_free(x, nx);
    }
    ap_authority_free(best);
    return EXIT_OK;
}

int cmd_demo(cli_ctx *ctx, int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : AP_SAMPLES_DIR;
    char path[4096];
    char *import_argv[] = { "import", path, NULL };
    char *rank_argv[] = { "partners", NULL };
    int rc;
    if (argc > 2 || (argc > 1 && strcmp(argv[1], "--help") == 0)) {
        cli_usage(cli_command("demo"), argc > 2 ? stderr : stdout);
        return argc > 2 ? EXIT_USAGE : EXIT_OK;
    }
    snprintf(path, sizeof path, "%s/estate.json", dir);
    printf("== Importing the sample estate (authpath import %s)\n", path);
    fflush(stdout);
    optind = 0;
    if ((rc = cmd_import(ctx, 2, import_argv)) != EXIT_OK)
        return rc;
    printf("\n== Partners, most dangerous first (authpath partners)\n");
    fflush(stdout);
    optind = 0;
    if ((rc = cmd_partners(ctx, 1, rank_argv)) != EXIT_OK)
        return rc;
    if ((rc = explain_top(ctx)) != EXIT_OK)
        return rc;
    printf("\nNext: authpath authority PARTNER, authpath blast-radius PARTNER, "
           "authpath inventory --expiring 30\n");
    return EXIT_OK;
}
