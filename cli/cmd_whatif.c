/* cli/cmd_whatif.c: `what-if PARTNER --grant SPEC... --revoke ID...` (hypothetical changes:
 * who gains or loses what, scores, readiness, findings that appear or vanish) and
 * `what-if [PARTNER] --until DATE` (expiries). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "whatif_out.h"

static const char *const test_names[AP_READY_COUNT] = { "attributable", "narrowable",
                                                         "revocable", "within_purpose" };

typedef struct {
    char **grant_text;
    size_t ngrants;
    char **revoke_text;
    size_t nrevokes;
    ap_edge_spec *grants;
    uint32_t *rv_nodes, *rv_edges;
    size_t nrv_nodes, nrv_edges;
    int64_t expires;
} whatif_args;

static void args_free(whatif_args *a)
{
    free(a->grant_text);
    free(a->revoke_text);
    free(a->grants);
    free(a->rv_nodes);
    free(a->rv_edges);
}

static int append(char ***list, size_t *n, char *s)
{
    char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (p == NULL)
        return -1;
    p[(*n)++] = s;
    *list = p;
    return 0;
}

/* Turn the texts into grants and revocations on the loaded graph. */
static int resolve(cli_ctx *ctx, whatif_args *a)
{
    const ap_graph *g = ctx->g;
    ap_error err;
    a->grants = calloc(a->ngrants + 1, sizeof *a->grants);
    a->rv_nodes = calloc(a->nrevokes + 1, sizeof *a->rv_nodes);
    a->rv_edges = calloc(a->nrevokes + 1, sizeof *a->rv_edges);
    if (a->grants == NULL || a->rv_nodes == NULL || a->rv_edges == NULL) {
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    for (size_t i = 0; i < a->ngrants; i++) {
        if (ap_whatif_parse_grant(&a->grants[i], g, a->grant_text[i], &err) < 0)
            return cli_fail(&err, NULL);
        a->grants[i].expires = a->expires;
    }
    for (size_t i = 0; i < a->nrevokes; i++) {
        int64_t v = ap_graph_find(g, a->revoke_text[i]);
        int64_t e = ap_graph_find_edge(g, a->revoke_text[i]);
        if (v >= 0 && e >= 0) {
            ap_error_set(&err, AP_EINPUT, "--revoke '%s' names both a node and an edge",
                         a->revoke_text[i]);
            return cli_fail(&err, NULL);
        }
        if (v >= 0 && ap_graph_node(g, (uint32_t)v)->kind == AP_KIND_PARTNER) {
            ap_error_set(&err, AP_EINPUT, "--revoke '%s': a partner is not revoked; revoke "
                         "its credentials or edges, or see `offboard`", a->revoke_text[i]);
            return cli_fail(&err, NULL);
        }
        if (v >= 0)
            a->rv_nodes[a->nrv_nodes++] = (uint32_t)v;
        else if (e >= 0)
            a->rv_edges[a->nrv_edges++] = (uint32_t)e;
        else if (cli_find_node(ctx, a->revoke_text[i], "node or edge") < 0)
            return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* ---- Output ---- */
/* A finding, with its evidence path (on the graph it came from). */
static json_t *finding_json(const ap_graph *g, const ap_finding *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "rule", json_string(x->rule->id));
    json_object_set_new(o, "severity", json_string(ap_severity_name(x->severity)));
    json_object_set_new(o, "subject", json_string(ap_finding_subject_id(g, x)));
    json_object_set_new(o, "partner", json_string(id_of(g, x->partner)));
    json_t *ps = json_array();
    for (size_t k = 0; k < x->npartners && k < AP_FINDINGS_PARTNERS_SHOWN; k++)
        json_array_append_new(ps, json_string(id_of(g, x->partners[k])));
    json_object_set_new(o, "partners", ps);
    if (x->npartners > AP_FINDINGS_PARTNERS_SHOWN)
        json_object_set_new(o, "partners_more", json_integer((json_int_t)(x->npartners
                                                - AP_FINDINGS_PARTNERS_SHOWN)));
    json_object_set_new(o, "message", json_string(x->message));
    json_object_set_new(o, "owasp_nhi", cli_json_str(x->rule->owasp_nhi));
    json_object_set_new(o, "nist_csf", cli_json_str(x->rule->nist_csf));
    cli_set_path(o, g, x->path, (uint32_t)x->npath);
    return o;
}

/* w's array at key: the findings of f at the given indices. */
static int stream_findings(ap_json_writer *w, const char *key, const ap_graph *g,
                           const ap_findings *f, const size_t *idx, size_t n, ap_error *err)
{
    int rc = ap_json_writer_array(w, key, err);
    for (size_t i = 0; rc == AP_OK && i < n; i++) {
        const ap_finding *x = ap_findings_get(f, idx[i]);
        if (x == NULL) {
            fputs("authpath: cannot read back a finding from its temporary store\n", stderr);
            break;
        }
        rc = ap_json_writer_item(w, finding_json(g, x), err);
    }
    return rc < 0 ? rc : ap_json_writer_close(w, err);
}

typedef struct {
    const ap_graph *g;
    const ap_whatif *w;
    const whatif_args *a;
} whatif_out;

/* docs/json.md's document with every list empty, to be streamed into; NULL when jansson had no
 * memory for a key (it drops it: the last one, findings, is checked). */
static json_t *whatif_skeleton(const ap_graph *g, const ap_whatif *w)
{
    json_t *root = json_object(), *ready = json_object(), *found = json_object();
    char at[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    json_object_set_new(root, "partner", json_string(id_of(g, w->partner)));
    json_object_set_new(root, "at", json_string(at));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "grants", json_array());
    json_object_set_new(root, "revocations", json_array());
    json_object_set_new(root, "changes", json_array());
    json_object_set_new(root, "changes_more", json_integer(w->changes_more));
    json_object_set_new(ready, "new_nodes", json_integer(w->nnew));
    for (int t = 0; t < AP_READY_COUNT; t++) {
        json_t *o = json_object();
        json_object_set_new(o, "pass", json_boolean(w->ready[t]));
        json_object_set_new(o, "evidence", json_array());
        json_object_set_new(ready, test_names[t], o);
    }
    json_object_set_new(root, "readiness", ready);
    json_object_set_new(root, "breaks", json_array());
    json_object_set_new(found, "appear", json_array());
    json_object_set_new(found, "vanish", json_array());
    if (w->findings_skipped > 0)        /* appear and vanish stay empty: not compared */
        json_object_set_new(found, "skipped_partners", json_integer(w->findings_skipped));
    json_object_set_new(root, "findings", found);
    if (json_object_get(root, "findings") == NULL) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static json_t *issue_json(const ap_graph *d, const ap_readiness_issue *is)
{
    json_t *e = json_object();
    json_object_set_new(e, "node", is->node != UINT32_MAX ? json_string(id_of(d, is->node))
                                                          : json_null());
    json_object_set_new(e, "edge", is->edge != UINT32_MAX ? cli_json_edge(d, is->edge)
                                                          : json_null());
    json_object_set_new(e, "actor", is->actor != UINT32_MAX ? json_string(id_of(d, is->actor))
                                                            : json_null());
    json_object_set_new(e, "reason", json_string(is->reason));
    return e;
}

static json_t *break_json(const ap_graph *g, const ap_reach_item *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "node", json_string(id_of(g, b->actor)));
    json_object_set_new(o, "kind", json_string(ap_kind_name(ap_graph_node(g, b->actor)->kind)));
    json_object_set_new(o, "depends_on", json_string(id_of(g, b->node)));
    json_object_set_new(o, "edge", json_string(ap_graph_edge(g, b->path[0])->id));
    return o;
}

/* The lists of the skeleton, an item at a time: what breaks and the findings that appear or
 * vanish follow the estate. */
static int whatif_write(ap_json_writer *jw, const whatif_out *x, ap_error *err)
{
    const ap_graph *g = x->g, *d = x->w->changed;
    const ap_whatif *w = x->w;
    int rc = ap_json_writer_array(jw, "grants", err);
    for (uint32_t e = 0; rc == AP_OK && e < ap_graph_edge_count(d); e++)
        if (ap_graph_edge_origin(d, e) == UINT32_MAX) {
            json_t *o = cli_json_edge(d, e);
            json_object_set_new(o, "rights", cli_json_rights(ap_graph_vocab(d),
                                                             ap_graph_edge(d, e)->rights));
            rc = ap_json_writer_item(jw, o, err);
        }
    if (rc < 0 || (rc = ap_json_writer_close(jw, err)) < 0
        || (rc = ap_json_writer_array(jw, "revocations", err)) < 0)
        return rc;
    for (size_t i = 0; rc == AP_OK && i < x->a->nrv_nodes; i++)
        rc = ap_json_writer_item(jw, json_pack("{ssss}", "id", id_of(g, x->a->rv_nodes[i]),
                                               "type", "node"), err);
    for (size_t i = 0; rc == AP_OK && i < x->a->nrv_edges; i++)
        rc = ap_json_writer_item(jw, json_pack("{ssss}", "id",
                                               ap_graph_edge(g, x->a->rv_edges[i])->id, "type",
                                               "edge"), err);
    if (rc < 0 || (rc = ap_json_writer_close(jw, err)) < 0
        || (rc = ap_json_writer_array(jw, "changes", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < w->nchanges; i++) {
        const ap_whatif_change *c = &w->changes[i];
        json_t *o = json_object();
        json_object_set_new(o, "partner", json_string(id_of(g, c->partner)));
        json_object_set_new(o, "score_before", json_integer(c->score_before));
        json_object_set_new(o, "score_after", json_integer(c->score_after));
        cli_set_items(o, "gained", d, c->gained, c->ngained);
        cli_set_items(o, "lost", g, c->lost, c->nlost);
        rc = ap_json_writer_item(jw, o, err);
    }
    if (rc < 0 || (rc = ap_json_writer_close(jw, err)) < 0)
        return rc;
    for (int t = 0; t < AP_READY_COUNT; t++) {      /* each test's "evidence", in turn */
        if ((rc = ap_json_writer_array(jw, "evidence", err)) < 0)
            return rc;
        for (uint32_t i = 0; rc == AP_OK && i < w->nissues; i++)
            if (w->issues[i].test == (ap_readiness_test)t)
                rc = ap_json_writer_item(jw, issue_json(d, &w->issues[i]), err);
        if (rc < 0 || (rc = ap_json_writer_close(jw, err)) < 0)
            return rc;
    }
    if ((rc = ap_json_writer_array(jw, "breaks", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < w->nbreaks; i++)
        rc = ap_json_writer_item(jw, break_json(g, &w->breaks[i]), err);
    if (rc < 0 || (rc = ap_json_writer_close(jw, err)) < 0
        || (rc = stream_findings(jw, "appear", d, w->findings_after, w->appeared, w->nappeared,
                                 err)) < 0
        || (rc = stream_findings(jw, "vanish", g, w->findings_before, w->vanished,
                                 w->nvanished, err)) < 0)
        return rc;
    return ap_json_writer_finish(jw, err);
}

/* For cli_stream. */
static int write_whatif(FILE *out, void *arg, ap_error *err)
{
    const whatif_out *x = arg;
    ap_json_writer *jw = NULL;
    json_t *root = whatif_skeleton(x->g, x->w);
    int rc = root != NULL ? ap_json_writer_new(&jw, out, root, err) : ap_error_nomem(err);
    if (rc == AP_OK)
        rc = whatif_write(jw, x, err);
    ap_json_writer_free(jw);
    return rc;
}

/* "  HIGH      rule  subject (partner)" and the message under it. */
static void put_findings(const ap_graph *g, const ap_findings *f, const size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ap_finding *x = ap_findings_get(f, idx[i]);
        if (x == NULL) {
            fputs("authpath: cannot read back a finding from its temporary store\n", stderr);
            return;
        }
        char sev[16];
        snprintf(sev, sizeof sev, "%s", ap_severity_name(x->severity));
        for (char *p = sev; *p; p++)
            *p = (char)(*p - 'a' + 'A');
        printf("  %-8s  %s  ", sev, x->rule->id);
        cli_put(ap_finding_subject_id(g, x));
        fputs(" (", stdout);
        for (size_t k = 0; k < x->npartners && k < AP_FINDINGS_PARTNERS_SHOWN; k++) {
            fputs(k ? ", " : "", stdout);               /* one finding per root cause */
            cli_put(id_of(g, x->partners[k]));
        }
        if (x->npartners > AP_FINDINGS_PARTNERS_SHOWN)
            printf(" and %zu more", x->npartners - AP_FINDINGS_PARTNERS_SHOWN);
        fputs(")\n    ", stdout);
        cli_put(x->message);
        fputs("\n", stdout);
    }
}

static void print_text(const ap_graph *g, const ap_whatif *w, const whatif_args *a)
{
    const ap_graph *d = w->changed;
    char at[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    fputs("What if, for ", stdout);
    cli_put(ap_graph_node_label(g, w->partner));
    fputs(" (", stdout);
    cli_put(id_of(g, w->partner));
    printf(") at %s, snapshot %lld: a simulation, the database is not changed.\n", at,
           (long long)ap_graph_snapshot(g));
    for (uint32_t e = 0; e < ap_graph_edge_count(d); e++)
        if (ap_graph_edge_origin(d, e) == UINT32_MAX) {
            char rights[1024];
            ap_rights_format(rights, sizeof rights, ap_graph_vocab(d), ap_graph_edge(d, e)->rights,
                             ", ", true);
            fputs("  grant ", stdout);
            cli_put_edge(d, e);
            printf(" [%s]\n", rights);
        }
    for (size_t i = 0; i < a->nrv_nodes; i++) {
        fputs("  revoke ", stdout);
        printf("%s ", ap_kind_name(ap_graph_node(g, a->rv_nodes[i])->kind));
        cli_put(id_of(g, a->rv_nodes[i]));
        fputs("\n", stdout);
    }
    for (size_t i = 0; i < a->nrv_edges; i++) {
        fputs("  revoke edge ", stdout);
        cli_put_edge(g, a->rv_edges[i]);
        fputs("\n", stdout);
    }
    printf("\nPartners whose authority changes:%s\n", w->nchanges ? "" : " none");
    for (uint32_t i = 0; i < w->nchanges; i++) {
        const ap_whatif_change *c = &w->changes[i];
        fputs("  ", stdout);
        cli_put(id_of(g, c->partner));
        printf(": score %lld -> %lld (%+lld)\n", (long long)c->score_before,
               (long long)c->score_after, (long long)(c->score_after - c->score_before));
        cli_put_items(d, c->partner, c->gained, c->ngained, "gains");
        cli_put_items(g, c->partner, c->lost, c->nlost, "loses");
    }
    printf("\nWhat breaks (depends_on a revoked target):%s\n", w->nbreaks ? "" : " nothing");
    for (uint32_t i = 0; i < w->nbreaks; i++) {
        const ap_reach_item *it = &w->breaks[i];
        fputs("  ", stdout);
        cli_put(id_of(g, it->actor));
        printf(" (%s) depends on ", ap_kind_name(ap_graph_node(g, it->actor)->kind));
        cli_put(id_of(g, it->node));
        fputs(ap_graph_node(w->changed, it->node)->live ? ", an edge the change removes: "
                                                         : ", which the change revokes: ",
              stdout);
        cli_put_edge(g, it->path[0]);
        fputs("\n", stdout);
    }
    if (w->changes_more > 0)
        printf("  +%u more partners whose authority changes (not listed)\n", w->changes_more);
    fputs("\nReadiness of ", stdout);
    cli_put(id_of(g, w->partner));
    printf("'s new access (%u new node%s):\n", w->nnew, w->nnew == 1 ? "" : "s");
    for (int t = 0; t < AP_READY_COUNT; t++) {
        printf("  %-13s %s\n", test_names[t], w->ready[t] ? "yes" : "no");
        for (uint32_t i = 0; i < w->nissues; i++) {
            const ap_readiness_issue *is = &w->issues[i];
            if (is->test != (ap_readiness_test)t)
                continue;
            fputs("    ", stdout);
            if (is->edge != UINT32_MAX)
                cli_put_edge(d, is->edge);
            else
                cli_put(id_of(d, is->node));
            printf(": %s", is->reason);
            if (is->actor != UINT32_MAX) {
                fputs(" (", stdout);
                cli_put(id_of(d, is->actor));
                fputs(")", stdout);
            }
            fputs("\n", stdout);
        }
    }
    if (w->findings_skipped > 0) {
        printf("\nFindings not compared: the change can touch the findings of %u partners, more "
               "than what-if re-runs; run `authpath findings` before and after.\n",
               w->findings_skipped);
        return;
    }
    printf("\nFindings the change raises:%s\n", w->nappeared ? "" : " none");
    put_findings(d, w->findings_after, w->appeared, w->nappeared);
    printf("\nFindings the change clears:%s\n", w->nvanished ? "" : " none");
    put_findings(g, w->findings_before, w->vanished, w->nvanished);
}

int cmd_what_if(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "grant", required_argument, NULL, 'g' },
        { "revoke", required_argument, NULL, 'r' },
        { "expires", required_argument, NULL, 'e' },
        { "until", required_argument, NULL, 'u' },
        { "policy", required_argument, NULL, 'p' },
        { "narrow-to-observed", no_argument, NULL, 'n' },
        { "since", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("what-if");
    const char *since = NULL;
    bool narrow = false;
    whatif_args a = { .expires = AP_TIME_NONE };
    int64_t until = AP_TIME_NONE;
    ap_whatif *w = NULL;
    const char *format = NULL, *policy = NULL;
    ap_policy pol;
    ap_error err;
    int64_t p;
    int opt, rc = EXIT_OK;
    ap_policy_default(&pol);
    while (rc == EXIT_OK && (opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP) {
            args_free(&a);
            return EXIT_OK;
        }
        if (opt == 'g' && append(&a.grant_text, &a.ngrants, optarg) < 0)
            rc = EXIT_INTERNAL;
        else if (opt == 'r' && append(&a.revoke_text, &a.nrevokes, optarg) < 0)
            rc = EXIT_INTERNAL;
        else if (opt == 'e' && !ap_time_parse(optarg, &a.expires)) {
            ap_error_set(&err, AP_EINPUT, "--expires: bad time '%s' (expected YYYY-MM-DD or "
                         "YYYY-MM-DDTHH:MM:SSZ)", optarg);
            rc = cli_fail(&err, NULL);
        } else if (opt == 'u' && !ap_time_parse(optarg, &until)) {
            ap_error_set(&err, AP_EINPUT, "--until: bad time '%s' (expected YYYY-MM-DD or "
                         "YYYY-MM-DDTHH:MM:SSZ)", optarg);
            rc = cli_fail(&err, NULL);
        } else if (opt == 'p') {
            policy = optarg;
        } else if (opt == 'n') {
            narrow = true;
        } else if (opt == 's') {
            since = optarg;
        } else if (opt != 'g' && opt != 'r' && opt != 'e' && opt != 'u')
            rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && (narrow || since != NULL)) {
        /* narrowing to observed use: no grants, revocations or forecast with it */
        if (!narrow || a.ngrants + a.nrevokes > 0 || until != AP_TIME_NONE
            || argc - optind != 1) {
            cli_usage(self, stderr);
            rc = EXIT_USAGE;
        } else if ((format = cli_format(ctx, "text,json")) == NULL) {
            rc = EXIT_USAGE;
        } else {
            rc = cli_narrow(ctx, argv[optind], since, policy, format);
        }
        args_free(&a);
        return rc;
    }
    if (rc == EXIT_OK && until != AP_TIME_NONE) {
        /* the forecast: expiries only, for one partner or all; no scores, no findings */
        if (a.ngrants + a.nrevokes > 0 || argc - optind > 1) {
            cli_usage(self, stderr);
            rc = EXIT_USAGE;
        } else if (policy != NULL) {
            cli_errorf("--policy: the expiry forecast (--until) uses no policy; it weighs "
                       "grants and revocations");
            rc = EXIT_USAGE;
        } else if ((format = cli_format(ctx, "text,json")) == NULL) {
            rc = EXIT_USAGE;
        } else {
            rc = cli_whatif_until(ctx, argc - optind == 1 ? argv[optind] : NULL, until, format);
        }
        args_free(&a);
        return rc;
    }
    if (rc == EXIT_OK && (argc - optind != 1 || a.ngrants + a.nrevokes == 0)) {
        cli_usage(self, stderr);
        rc = EXIT_USAGE;
    }
    if (rc != EXIT_OK || (format = cli_format(ctx, "text,json")) == NULL
        || (rc = cli_load_graph(ctx)) != EXIT_OK || (rc = resolve(ctx, &a)) != EXIT_OK) {
        rc = rc != EXIT_OK ? rc : EXIT_USAGE;
        goto cleanup;
    }
    if ((p = cli_find_partner(ctx, argv[optind])) < 0) {
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if (policy != NULL && ap_policy_load(&pol, policy, ap_graph_vocab(ctx->g), &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    ap_whatif_opts wo = { a.grants, a.ngrants, a.rv_edges, a.nrv_edges, a.rv_nodes, a.nrv_nodes,
                          NULL, &pol };
    if (ap_whatif_compute(&w, ctx->g, (uint32_t)p, &wo, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if (strcmp(format, "json") == 0) {
        whatif_out x = { ctx->g, w, &a };
        rc = cli_stream(write_whatif, &x);
    } else {
        print_text(ctx->g, w, &a);
        rc = EXIT_OK;
    }
cleanup:
    ap_whatif_free(w);
    ap_policy_clear(&pol);
    args_free(&a);
    return rc;
}
