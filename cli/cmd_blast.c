/* cli/cmd_blast.c: `blast-radius [PARTNER...]` (what each partner could damage) and `partners`
 * (every partner ranked by blast-radius score: the most dangerous first). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authpath/query.h"
#include "authpath/scope.h"
#include "cli.h"

typedef struct {
    ap_blast *b;
    const char *id;
} ranked;

static int rank_cmp(const void *x, const void *y)   /* docs/json.md: score descending, then id */
{
    const ranked *a = x, *b = y;
    if (a->b->score != b->b->score)
        return a->b->score > b->b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

static json_t *id_list(const ap_graph *g, const uint32_t *v, uint32_t n)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(ap_graph_node(g, v[i])->id));
    return arr;
}

static json_t *edge_list(const ap_graph *g, const uint32_t *e, uint32_t n)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++) {
        const ap_edge *ed = ap_graph_edge(g, e[i]);
        json_t *o = json_object();
        json_object_set_new(o, "from", json_string(ap_graph_node(g, ed->from)->id));
        json_object_set_new(o, "to", json_string(ap_graph_node(g, ed->to)->id));
        json_object_set_new(o, "kind", json_string(ap_edge_kind_name(ed->kind)));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* Sets key to the first `cap` entries of a list of n and key_more to the number left out. */
static void set_list(json_t *o, const char *key, json_t *(*list)(const ap_graph *,
                     const uint32_t *, uint32_t), const ap_graph *g, const uint32_t *v,
                     uint32_t n, uint32_t cap)
{
    char more[32];
    uint32_t shown = n < cap ? n : cap;
    snprintf(more, sizeof more, "%s_more", key);
    json_object_set_new(o, key, list(g, v, shown));
    json_object_set_new(o, more, json_integer(n - shown));
}

/* One partner's object; its lists hold at most cap entries each: CLI_LIST_MAX in the
 * all-partners ranking (a loop of N partners, each inheriting every other, would otherwise
 * list N x N); every entry when partners are named (blast-radius PARTNER...). */
static json_t *blast_json(const ap_graph *g, const ap_blast *b, uint32_t cap)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    json_t *o = json_object(), *kinds = json_object(), *sens = json_object();
    uint32_t total = 0;
    for (int k = 0; k < AP_KIND_COUNT; k++) {
        total += b->by_kind[k];
        json_object_set_new(kinds, ap_kind_name((ap_kind)k), json_integer(b->by_kind[k]));
    }
    for (int s = AP_SENS_COUNT - 1; s >= 0; s--) {
        json_t *one = json_object(), *rights = json_object();
        json_object_set_new(one, "count", json_integer(b->by_sens[s]));
        for (unsigned r = 0; r < voc->count; r++)
            if (b->by_sens_right[s][r] > 0)
                json_object_set_new(rights, voc->names[r], json_integer(b->by_sens_right[s][r]));
        json_object_set_new(one, "rights", rights);
        json_object_set_new(sens, ap_sensitivity_name((ap_sensitivity)s), one);
    }
    json_object_set_new(o, "id", json_string(ap_graph_node(g, b->partner)->id));
    json_object_set_new(o, "name", json_string(ap_graph_node_label(g, b->partner)));
    json_object_set_new(o, "score", json_integer(b->score));
    json_object_set_new(o, "reach", json_integer(total));
    json_object_set_new(o, "by_kind", kinds);
    json_object_set_new(o, "by_sensitivity", sens);
    set_list(o, "workflows", id_list, g, b->workflows, b->nworkflows, cap);
    set_list(o, "identities", id_list, g, b->identities, b->nidentities, cap);
    set_list(o, "inherits", id_list, g, b->partners, b->npartners, cap);
    set_list(o, "escalations", edge_list, g, b->escalations, b->nescalations, cap);
    set_list(o, "boundaries", edge_list, g, b->boundaries, b->nboundaries, cap);
    return o;
}

static void free_ranked(ranked *r, size_t n)
{
    for (size_t i = 0; r != NULL && i < n; i++)
        ap_blast_free(r[i].b);
    free(r);
}

/* Blast radius of one partner into r. */
static int compute_one(cli_ctx *ctx, uint32_t src, const ap_weights *w, ranked *r)
{
    ap_authority *a = NULL;
    ap_error err;
    if (ap_authority_compute(&a, ctx->g, src, &err) < 0
        || ap_blast_compute(&r->b, ctx->g, a, w, &err) < 0) {
        ap_authority_free(a);
        return cli_fail(&err, NULL);
    }
    r->id = ap_graph_node(ctx->g, src)->id;
    ap_authority_free(a);
    return EXIT_OK;
}

static unsigned cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}

/* Blast radius of the named partners (all partners when none), ranked. More than one partner
 * goes through the all-partners kernel, counts only (the JSON writer streams the lists). */
static int compute(cli_ctx *ctx, char **names, int nnames, const ap_weights *w, ranked **out,
                   size_t *nout)
{
    uint32_t n = ap_graph_node_count(ctx->g), *src = NULL, ns = 0;
    ranked *r = calloc((size_t)n + (size_t)nnames + 1, sizeof *r);
    ap_blast **all = NULL;
    ap_error err;
    size_t k = 0;
    int rc = EXIT_OK;
    src = malloc(((size_t)n + (size_t)nnames + 1) * sizeof *src);
    if (r == NULL || src == NULL) {
        free(r);
        free(src);
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    for (int i = 0; rc == EXIT_OK && i < nnames; i++) {
        int64_t v = cli_find_partner(ctx, names[i]);
        if (v < 0)
            rc = EXIT_USAGE;
        else
            src[ns++] = (uint32_t)v;
    }
    for (uint32_t v = 0; nnames == 0 && v < n; v++)
        if (ap_graph_node(ctx->g, v)->kind == AP_KIND_PARTNER)
            src[ns++] = v;
    if (rc == EXIT_OK && ns == 1) {
        rc = compute_one(ctx, src[0], w, &r[0]);
        k = rc == EXIT_OK;
    } else if (rc == EXIT_OK && ns > 1) {
        if (ap_blast_all(&all, ctx->g, src, ns, w, 0, cpus(), &err) < 0) {
            rc = cli_fail(&err, NULL);
        } else {
            for (; k < ns; k++) {
                r[k].b = all[k];
                r[k].id = ap_graph_node(ctx->g, src[k])->id;
            }
            free(all);                  /* the results now belong to r */
        }
    }
    free(src);
    if (rc != EXIT_OK) {
        free_ranked(r, k);
        return rc;
    }
    qsort(r, k, sizeof *r, rank_cmp);
    *out = r;
    *nout = k;
    return EXIT_OK;
}

/* Targets outside each ranked partner's declared scope (-1: it declares none), in rank order
 * (to free); NULL after saying why. */
static int64_t *outside_scopes(cli_ctx *ctx, const ranked *r, size_t n, const ap_policy *policy)
{
    int64_t *out = malloc((n + 1) * sizeof *out);
    uint32_t *src = malloc((n + 1) * sizeof *src);
    ap_error err;
    int rc = out != NULL && src != NULL ? AP_OK : ap_error_nomem(&err);
    for (size_t i = 0; rc == AP_OK && i < n; i++)
        src[i] = r[i].b->partner;
    if (rc == AP_OK)
        rc = ap_scope_count_all(out, ctx->g, src, (uint32_t)n, policy, &err);
    free(src);
    if (rc < 0) {
        cli_fail(&err, NULL);
        free(out);
        return NULL;
    }
    return out;
}

/* The JSON writer: one partner's object at a time, as json_dumpf would lay it out inside the
 * document's "partners" array (so the whole is what one tree dumped at once gives). */
typedef struct {
    cli_ctx *ctx;
    bool detailed;
    const int64_t *outside;     /* detailed: by rank, outside_scopes() */
    uint32_t cap;               /* entries per list: CLI_LIST_MAX for all partners */
    FILE *out;
    ranked *r;
    size_t n;
    const ap_weights *w;
    int exit;                   /* an exit code after its own message; EXIT_OK */
    ap_error err;               /* what failed writing a partner */
} json_writer;

static int write_partner(void *arg, uint32_t i, const ap_blast *b)
{
    json_writer *jw = arg;
    json_t *o = blast_json(jw->ctx->g, b, jw->cap);
    int64_t out = jw->detailed ? jw->outside[i] : -1;
    if (jw->detailed)
        json_object_set_new(o, "outside_scope", out < 0 ? json_null() : json_integer(out));
    return ap_render_json_item(jw->out, o, 4, i == 0, &jw->err) < 0 ? -1 : 0;
}

/* The ranking as JSON, streamed: the lists of several partners go through the all-partners
 * kernel again, a batch at a time in rank order, each written and freed as it comes; for
 * cli_stream, whole or not at all. */
static int write_json(FILE *out, void *arg, ap_error *err)
{
    json_writer *jw = arg;
    const ap_graph *g = jw->ctx->g;
    size_t n = jw->n;
    char at[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    json_t *js = json_string(at);
    char *atj = js != NULL ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
    json_decref(js);
    if (atj == NULL)
        return ap_error_nomem(err);
    jw->out = out;
    fprintf(out, "{\n  \"at\": %s,\n  \"snapshot\": %lld,\n  \"partners\": [", atj,
            (long long)ap_graph_snapshot(g));
    free(atj);
    if (n == 1 && write_partner(jw, 0, jw->r[0].b) < 0) {   /* the engine made its lists */
        *err = jw->err;
        return jw->exit != EXIT_OK ? jw->exit : err->code;
    } else if (n > 1) {
        uint32_t *src = malloc(n * sizeof *src);
        if (src == NULL)
            return ap_error_nomem(err);
        for (size_t i = 0; i < n; i++)
            src[i] = jw->r[i].b->partner;
        /* lists cut to what is shown: memory for that, not for every partner's reach */
        unsigned flags = jw->cap < (1u << 24) ? AP_BLAST_LISTS_CUT(jw->cap) : AP_BLAST_LISTS;
        int rc = ap_blast_each(g, src, (uint32_t)n, jw->w, flags, cpus(), write_partner, jw,
                               err);
        free(src);
        if (rc < 0) {
            if (jw->exit != EXIT_OK)
                return jw->exit;
            if (err->code == AP_EIO && jw->err.code != AP_OK)
                *err = jw->err;     /* the writer's own reason, not the callback's refusal */
            return err->code;
        }
    }
    fputs(n > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
    return ferror(out) ? ap_error_set(err, AP_EIO, "cannot write JSON") : AP_OK;
}

/* The ranking's rows: into a table for text (its columns need every row), or as CSV a row at
 * a time (a row per partner: the estate's size). */
typedef struct {
    const ap_graph *g;
    const ranked *r;
    size_t n;
    bool bar, utf8;             /* the SCORE SPLIT column, on a terminal only */
    int64_t max;
    ap_table *t;
} rank_rows;

static const char *const *rank_head(bool bar)
{
    static const char *const with_bar[] = { "RANK", "PARTNER", "NAME", "SCORE", "SCORE SPLIT",
                                            "REACH", "CRITICAL", "RESTRICTED", "CONFIDENTIAL",
                                            "WORKFLOWS", "ACTS AS", "INHERITS", "ESCALATIONS" };
    static const char *const without[] = { "RANK", "PARTNER", "NAME", "SCORE", "REACH",
                                           "CRITICAL", "RESTRICTED", "CONFIDENTIAL",
                                           "WORKFLOWS", "ACTS AS", "INHERITS", "ESCALATIONS" };
    return bar ? with_bar : without;
}

/* Every row, to csv when it is not NULL, else to x->t. */
static int put_ranking(const rank_rows *x, FILE *csv, ap_error *err)
{
    int rc = AP_OK;
    for (size_t i = 0; i < x->n && rc == AP_OK; i++) {
        const ap_blast *b = x->r[i].b;
        char c[12][24], split[CLI_BAR_WIDTH * 4 + 1];
        uint32_t total = 0;
        for (int k = 0; k < AP_KIND_COUNT; k++)
            total += b->by_kind[k];
        snprintf(c[0], 24, "%zu", i + 1);
        snprintf(c[3], 24, "%lld", (long long)b->score);
        snprintf(c[4], 24, "%u", total);
        snprintf(c[5], 24, "%u", b->by_sens[AP_SENS_CRITICAL]);
        snprintf(c[6], 24, "%u", b->by_sens[AP_SENS_RESTRICTED]);
        snprintf(c[7], 24, "%u", b->by_sens[AP_SENS_CONFIDENTIAL]);
        snprintf(c[8], 24, "%u", b->nworkflows);
        snprintf(c[9], 24, "%u", b->nidentities);
        snprintf(c[10], 24, "%u", b->npartners);
        snprintf(c[11], 24, "%u", b->nescalations);
        if (x->bar)
            cli_score_bar(split, sizeof split, b->score_by_sens, x->max, CLI_BAR_WIDTH, x->utf8);
        const char *cells[13] = { c[0], ap_graph_node(x->g, b->partner)->id,
                                  ap_graph_node_label(x->g, b->partner), c[3], split, c[4],
                                  c[5], c[6], c[7], c[8], c[9], c[10], c[11] };
        const char *row[13];
        unsigned k = 0;
        for (unsigned j = 0; j < 13; j++)
            if (j != 4 || x->bar)
                row[k++] = cells[j];
        rc = csv != NULL ? ap_csv_write_row(csv, row, k, err) : ap_table_add(x->t, row, err);
    }
    return rc;
}

/* For cli_stream: the header, then a row per partner. */
static int write_ranking_csv(FILE *out, void *arg, ap_error *err)
{
    const rank_rows *x = arg;
    int rc = ap_csv_write_row(out, rank_head(false), 12, err);
    return rc < 0 ? rc : put_ranking(x, out, err);
}

static int print_ranking(cli_ctx *ctx, ranked *r, size_t n, const char *format,
                         const ap_weights *w, bool detailed, const ap_policy *policy, bool all)
{
    const ap_graph *g = ctx->g;
    ap_error err;
    int rc;
    int64_t *outside = NULL;
    if (detailed && (strcmp(format, "json") == 0 || strcmp(format, "text") == 0)
        && (outside = outside_scopes(ctx, r, n, policy)) == NULL)
        return EXIT_INTERNAL;
    if (strcmp(format, "json") == 0) {
        json_writer jw = { ctx, detailed, outside, all ? CLI_LIST_MAX : UINT32_MAX, NULL, r, n,
                           w, EXIT_OK, { 0 } };
        rc = cli_stream(write_json, &jw);
        free(outside);
        return rc;
    }
    /* on a terminal, a bar of each score split by sensitivity beside it (the report's chart) */
    bool bar = strcmp(format, "text") == 0 && cli_output_is_tty(), utf8 = cli_output_utf8();
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = r[i].b->score > max ? r[i].b->score : max;
    rank_rows x = { g, r, n, bar, utf8, max, NULL };
    if (strcmp(format, "csv") == 0) {
        rc = cli_stream(write_ranking_csv, &x);
    } else if (ap_table_new(&x.t, bar ? 13 : 12, rank_head(bar), &err) < 0
               || put_ranking(&x, NULL, &err) < 0) {
        rc = cli_fail(&err, NULL);
    } else {
        rc = cli_print_table(x.t, format);
    }
    ap_table_free(x.t);
    if (bar && rc == EXIT_OK && n > 0) {
        char key[256];
        cli_score_bar_key(key, sizeof key, utf8);
        printf("SCORE SPLIT by sensitivity: %s; the longest bar is %lld\n", key,
               (long long)max);
    }
    if (detailed && strcmp(format, "text") == 0) {
        for (size_t i = 0; i < n; i++) {
            const ap_blast *b = r[i].b;
            fputs("\n", stdout);
            cli_put(ap_graph_node_label(g, b->partner));
            fputs(" (", stdout);
            cli_put(ap_graph_node(g, b->partner)->id);
            fputs(")\n", stdout);
            for (int s = AP_SENS_COUNT - 1; s >= 0; s--) {
                char rights[1024] = "";
                const ap_vocab *voc = ap_graph_vocab(g);
                if (b->by_sens[s] == 0)
                    continue;
                for (unsigned k = 0; k < voc->count; k++)
                    if (b->by_sens_right[s][k] > 0) {
                        size_t used = strlen(rights);
                        snprintf(rights + used, sizeof rights - used, "%s%s %u",
                                 used ? ", " : "", voc->names[k], b->by_sens_right[s][k]);
                    }
                printf("  %-13s %u reached (%s)\n", ap_sensitivity_name((ap_sensitivity)s),
                       b->by_sens[s], rights);
            }
            printf("  workflows it can trigger or run: %u, identities it can act as: %u\n",
                   b->nworkflows, b->nidentities);
            printf("  partners whose authority it inherits: %u, escalation steps: %u, "
                   "trust boundaries crossed: %u\n", b->npartners, b->nescalations,
                   b->nboundaries);
            if (outside[i] >= 0)
                printf("  outside scope: %lld\n", (long long)outside[i]);
        }
    }
    free(outside);
    return rc;
}

/* One partner's blast radius as a diagram. */
static int blast_diagram(cli_ctx *ctx, const char *partner, const char *format)
{
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    int64_t src = cli_find_partner(ctx, partner);
    int rc;
    if (src < 0)
        return EXIT_USAGE;
    if (ap_authority_compute(&a, ctx->g, (uint32_t)src, &err) < 0
        || ap_diagram_blast(&d, ctx->g, a, &err) < 0)
        rc = cli_fail(&err, NULL);
    else
        rc = cli_write_diagram(ctx->g, d, format);
    ap_diagram_free(d);
    ap_authority_free(a);
    return rc;
}

/* A partial load: every block the ranking read, and the partners' names it will print, found
 * intact before a row is written (a long ranking is out before main() could take it back); else
 * nothing is, and main() runs the command again on a whole load. */
static int names_intact(cli_ctx *ctx, const ranked *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (void)ap_graph_node_label(ctx->g, r[i].b->partner);
    return cli_graph_intact(ctx);
}

static int run(cli_ctx *ctx, int argc, char **argv, const char *name, bool named)
{
    static const struct option opts[] = {
        { "policy", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command(name);
    const char *format, *policy = NULL;
    ap_policy pol;
    ap_weights w;
    ranked *r = NULL;
    size_t n = 0;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt != 'p')
            return EXIT_USAGE;
        policy = optarg;
    }
    if (!named && optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, named ? "text,json,csv,dot,svg,png,pdf" : "text,json,csv"))
        == NULL || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if (cli_is_diagram_format(format) && argc - optind != 1) {
        cli_errorf("a %s diagram shows one partner: name exactly one PARTNER", format);
        return EXIT_USAGE;
    }
    ap_policy_default(&pol);
    if (policy != NULL) {
        ap_error err;
        if ((rc = cli_open_store(ctx)) != EXIT_OK)
            return rc;
        if (ap_policy_load(&pol, policy, ap_store_vocab(ctx->st), &err) < 0)
            return cli_fail(&err, NULL);
    }
    w = pol.weights;
    /* the ranking's rows name only the partners: `partners` as text or CSV reads the graph
     * image as the kernel asks (no record built for its millions of edges) */
    bool rows_only = !named && strcmp(format, "json") != 0;
    if ((rc = rows_only ? cli_load_graph_partial(ctx) : cli_load_graph(ctx)) != EXIT_OK) {
        ap_policy_clear(&pol);
        return rc;
    }
    if (cli_is_diagram_format(format))
        rc = blast_diagram(ctx, argv[optind], format);
    else if ((rc = compute(ctx, argv + optind, argc - optind, &w, &r, &n)) == EXIT_OK
             && (rc = rows_only ? names_intact(ctx, r, n) : EXIT_OK) == EXIT_OK)
        rc = print_ranking(ctx, r, n, format, &w, named, &pol, optind == argc);
    free_ranked(r, n);
    ap_policy_clear(&pol);
    return rc;
}

int cmd_blast_radius(cli_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, "blast-radius", true);
}

int cmd_partners(cli_ctx *ctx, int argc, char **argv)
{
    return run(ctx, argc, argv, "partners", false);
}
