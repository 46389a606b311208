/* cli/cmd_findings.c: `findings` (what is wrong with our partner access right now, as text,
 * JSON, CSV or SARIF; exit 1 at or above --fail-on) and `rules` (the catalogue). */
#define _XOPEN_SOURCE 700     /* realpath */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authpath/findings.h"
#include "cli.h"

static int severity_arg(const char *opt, const char *arg, ap_severity *out)
{
    if ((*out = ap_severity_parse(arg)) == AP_SEV_NONE) {
        cli_errorf("%s: unknown severity '%s' (expected one of %s)", opt, arg, AP_SEV_NAMES);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

typedef struct {
    const ap_graph *g;
    const ap_findings *f;
    const char *format;
    const char *root;
    size_t sarif_max;
} findings_out;

/* For cli_stream: every format, a finding at a time into a temporary file, so that stdout
 * gets them whole or not at all (a finding read back from its store can fail half-way). */
static int write_findings(FILE *out, void *arg, ap_error *err)
{
    const findings_out *x = arg;
    ap_sarif_opts so = { AP_VERSION, AP_HOMEPAGE_URL, AP_RULES_URL, x->root, x->sarif_max };
    if (strcmp(x->format, "text") == 0)
        return ap_findings_write_text(out, x->g, x->f, err);
    if (strcmp(x->format, "json") == 0)
        return ap_findings_write_json(out, x->g, x->f, err);
    if (strcmp(x->format, "sarif") == 0)
        return ap_findings_write_sarif_with(out, x->g, x->f, &so, err);
    return ap_findings_write_csv(out, x->g, x->f, err);
}

static int print(cli_ctx *ctx, const ap_findings *f, const char *format, const char *root,
                 size_t sarif_max)
{
    findings_out x = { ctx->g, f, format, root, sarif_max };
    int rc = cli_stream(write_findings, &x);
    size_t n = ap_findings_count(f);
    if (rc == EXIT_OK && strcmp(format, "sarif") == 0 && sarif_max > 0 && n > sarif_max)
        fprintf(stderr, "authpath: note: the SARIF log holds the %zu most severe of %zu "
                "findings (code scanning rejects a run of more than %d results); "
                "--sarif-max 0 writes all of them, --format json lists them all\n",
                sarif_max, n, AP_SARIF_CODE_SCANNING_MAX);
    return rc;
}

int cmd_findings(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "rule", required_argument, NULL, 'r' },
        { "partner", required_argument, NULL, 'P' },
        { "min-severity", required_argument, NULL, 'm' },
        { "fail-on", required_argument, NULL, 'f' },
        { "policy", required_argument, NULL, 'p' },
        { "source-root", required_argument, NULL, 's' },
        { "since", required_argument, NULL, 'S' },
        { "sarif-max", required_argument, NULL, 'X' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("findings");
    const char **rules = NULL, *partner = NULL, *policy = NULL, *format;
    char *root = NULL;
    const char *since = NULL;
    ap_usage *usage = NULL;
    ap_findings_opts fo = { NULL, NULL, 0, -1, AP_SEV_NONE };
    ap_severity fail_on = AP_SEV_NONE;
    size_t sarif_max = AP_SARIF_CODE_SCANNING_MAX;
    long long count;
    ap_findings *f = NULL;
    ap_policy pol;
    ap_error err;
    size_t nrules = 0;
    int opt, rc = EXIT_OK;
    ap_policy_default(&pol);
    if ((rules = calloc((size_t)argc + 1, sizeof *rules)) == NULL) {
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    while (rc == EXIT_OK && (opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        switch (opt) {
        case CLI_HELP:
            goto cleanup;
        case 'r':
            rules[nrules++] = optarg;
            break;
        case 'P':
            partner = optarg;
            break;
        case 'm':
            rc = severity_arg("--min-severity", optarg, &fo.min_severity);
            break;
        case 'f':
            rc = severity_arg("--fail-on", optarg, &fail_on);
            break;
        case 'p':
            policy = optarg;
            break;
        case 's':           /* SARIF URIs relative to it: an absolute folder, as it is now */
            free(root);
            if ((root = realpath(optarg, NULL)) == NULL) {
                cli_errorf("--source-root: cannot use '%s': %s", optarg, strerror(errno));
                rc = EXIT_USAGE;
            }
            break;
        case 'S':
            since = optarg;
            break;
        case 'X':           /* results in a SARIF log; 0: every finding */
            if ((rc = cli_number("--sarif-max", optarg, 0, 100000000, &count)) == EXIT_OK)
                sarif_max = (size_t)count;
            break;
        default:
            rc = EXIT_USAGE;
        }
    }
    if (rc != EXIT_OK)
        goto cleanup;
    if (optind < argc) {
        cli_usage(self, stderr);
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if ((format = cli_format(ctx, "text,json,csv,sarif")) == NULL) {
        rc = EXIT_USAGE;
        goto cleanup;
    }
    for (size_t i = 0; i < nrules; i++)
        if (ap_rule_find(rules[i]) == NULL) {
            cli_errorf("--rule: no rule '%s' (see authpath rules)", rules[i]);
            rc = EXIT_USAGE;
            goto cleanup;
        }
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        goto cleanup;
    if (policy != NULL && ap_policy_load(&pol, policy, ap_graph_vocab(ctx->g), &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if (partner != NULL) {
        if ((fo.partner = cli_find_partner(ctx, partner)) < 0) {
            rc = EXIT_USAGE;
            goto cleanup;
        }
    }
    fo.policy = &pol;
    fo.rules = nrules > 0 ? rules : NULL;
    fo.nrules = nrules;
    if ((rc = cli_load_usage(ctx, since, &usage)) != EXIT_OK)
        goto cleanup;
    if (ap_findings_compute_observed(&f, ctx->g, &fo, usage, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if ((rc = print(ctx, f, format, root, sarif_max)) != EXIT_OK)
        goto cleanup;
    for (size_t i = 0; fail_on != AP_SEV_NONE && i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_peek(f, i);
        if (!x->waived && x->severity >= fail_on)
            rc = EXIT_FINDINGS;
    }
cleanup:
    ap_findings_free(f);
    ap_usage_free(usage);
    ap_policy_clear(&pol);
    free(rules);
    free(root);
    return rc;
}

int cmd_rules(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("rules");
    const char *format;
    ap_error err;
    int opt;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", NULL)) != -1)
        return opt == CLI_HELP ? EXIT_OK : EXIT_USAGE;
    if (optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv,markdown")) == NULL)
        return EXIT_USAGE;
    if (strcmp(format, "markdown") == 0)
        return ap_rules_write_markdown(stdout, &err) < 0 ? cli_fail(&err, NULL) : EXIT_OK;
    if (strcmp(format, "json") == 0) {
        json_t *list = json_array();
        for (size_t i = 0; i < ap_rule_count(); i++) {
            const ap_rule *r = ap_rule_at(i);
            json_t *o = json_object();
            json_object_set_new(o, "id", json_string(r->id));
            json_object_set_new(o, "severity", json_string(ap_severity_name(r->severity)));
            json_object_set_new(o, "owasp_nhi", r->owasp_nhi[0] ? json_string(r->owasp_nhi)
                                                                : json_null());
            json_object_set_new(o, "nist_csf", json_string(r->nist_csf));
            json_object_set_new(o, "title", json_string(r->title));
            json_object_set_new(o, "description", json_string(r->description));
            json_object_set_new(o, "remediation", json_string(r->remediation));
            json_array_append_new(list, o);
        }
        json_t *root = json_object();
        json_object_set_new(root, "rules", list);
        return cli_print_json(root);
    }
    static const char *const head[] = { "ID", "SEVERITY", "OWASP_NHI", "NIST_CSF", "TITLE" };
    ap_table *t = NULL;
    if (ap_table_new(&t, 5, head, &err) < 0)
        return cli_fail(&err, NULL);
    for (size_t i = 0; i < ap_rule_count(); i++) {
        const ap_rule *r = ap_rule_at(i);
        const char *row[5] = { r->id, ap_severity_name(r->severity),
                               r->owasp_nhi[0] ? r->owasp_nhi : "-", r->nist_csf, r->title };
        if (ap_table_add(t, row, &err) < 0) {
            ap_table_free(t);
            return cli_fail(&err, NULL);
        }
    }
    int rc = cli_print_table(t, format);
    ap_table_free(t);
    return rc;
}
