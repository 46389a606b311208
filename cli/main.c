/* cli/main.c: the authpath command. Reads the global options, picks the subcommand from the
 * table below, and leaves everything else to it: each cmd_<name>.c parses, calls, renders. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#ifndef AP_VERSION
#define AP_VERSION "0.0.0"
#endif

static const cli_cmd commands[] = {
    { "import", cmd_import,
      "import FILE... [--as FORMAT] [--label TEXT] [--aws-accounts FILE] [--map FILE] "
      "[--partner-map FILE] [--max-nodes N]...",
      "Read inventories into the database as one new snapshot.",
      "FILE... is native JSON, YAML, or a CSV pair (*nodes*.csv, *edges*.csv), the output of\n"
      "`aws iam get-account-authorization-details`, BloodHound OpenGraph JSON, Kubernetes\n"
      "RBAC (`kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,\n"
      "clusterrolebindings -o json`, or YAML manifests), or Microsoft Graph / Entra ID JSON\n"
      "(az rest, Graph PowerShell, mgc: GDAP relationships, service principals, apps,\n"
      "consents, role assignments, federated credentials; see docs/sources/msgraph.md).\n"
      "The format is detected from the content; --as native|aws-iam|opengraph|k8s|msgraph\n"
      "forces it. Every import is one transaction: on any error nothing is written and the\n"
      "errors are listed as FILE:LINE:COL: message. What was recognised but not imported is\n"
      "listed as notes.\n"
      "A file no reader takes (a Kubernetes List of Pods, GitHub API output, an IAM\n"
      "credential report...) is refused, naming what it looks like; so is an import of\n"
      "no node. UTF-16 with a byte order mark (PowerShell's default) is read as text;\n"
      "gzip and zip files are refused: decompress them first.\n"
      "Observed use (--as usage, or by shape: CloudTrail records, lookup-events or\n"
      "CloudWatch Logs output, Kubernetes audit events, Entra sign-in logs and\n"
      "servicePrincipalSignInActivities, native at,actor,target,right CSV or JSON Lines)\n"
      "makes no snapshot: its events are stored beside the latest one (--snapshot N: that\n"
      "one), streamed whatever their number; events whose actor or target the inventory\n"
      "does not know are stored and counted (docs/sources/usage.md).\n"
      "--aws-accounts FILE  vendors' AWS account ids (known_aws_accounts YAML) that name\n"
      "                     external accounts; '' for none (default: the bundled list)\n"
      "--map FILE           foreign OpenGraph kinds to authpath kinds (JSON or YAML: nodes:\n"
      "                     {Okta_Org: partner}, edges: {GH_CanPush: access}), ahead of the\n"
      "                     built-in table; ready maps: docs/maps/githound.yaml, okta.yaml\n"
      "                     (docs/sources/opengraph.md)\n"
      "--partner-map FILE   Kubernetes users and groups to partners (JSON or YAML: name or\n"
      "                     glob -> partner id); others stay identities\n"
      "AWS: explicit Deny, permissions boundaries and NotAction/NotResource are applied;\n"
      "still approximated (and counted in the notes): SCPs and session policies (not in the\n"
      "export), conditions (kept as evidence), actions of services outside the built-in\n"
      "action table (docs/sources/aws-iam.md).\n"
      "--max-nodes N        refuse an import of more than N nodes (default: no limit)\n"
      "--max-edges N        refuse an import of more than N edges (default: no limit)\n" },
    { "snapshots", cmd_snapshots, "snapshots [--format text|json|csv]",
      "List the snapshots in the database, oldest first.", "" },
    { "diff", cmd_diff, "diff A B [--partner PARTNER] [--format text|json|csv]",
      "What changed from snapshot A to snapshot B: nodes, edges and partners' authority.",
      "Nodes and edges match by id: added, removed, or changed (the fields that differ).\n"
      "Authority is every partner's, at --at in both snapshots: targets gained, lost, or\n"
      "reached with other rights.\n"
      "--partner PARTNER   only that partner's authority\n" },
    { "inventory", cmd_inventory,
      "inventory [--kind KIND] [--state STATE] [--expiring DAYS] [--all]\n"
      "          [--format text|json|csv]",
      "Every partner, identity and credential with owner, sponsor, purpose, state at --at, "
      "expiry, last use and the partners holding or acting through it.",
      "--kind KIND       only partner, identity or credential (repeatable)\n"
      "--state STATE     only this state at --at (repeatable): active, under_review,\n"
      "                  requested, approved, not_yet_valid, expired, suspended, revoked\n"
      "--expiring DAYS   only what expires within DAYS of --at\n"
      "--all             every partner of each node (by default the first 20 by id, then\n"
      "                  +N more; JSON partners_more)\n" },
    { "partners", cmd_partners, "partners [--policy FILE] [--format text|json|csv]",
      "Every partner ranked by blast-radius score, the most dangerous first.",
      "--policy FILE   score weights (JSON or YAML; see docs/policy.md)\n" },
    { "authority", cmd_authority,
      "authority PARTNER [--evidence] [--observed [--since DATE]]\n"
      "          [--format text|json|csv|dot|svg|png|pdf]",
      "Everything PARTNER can reach, with the rights it holds there, hops and the chain.",
      "PARTNER may be any node, not only a partner: `authority svc-order-sync` answers what\n"
      "that service account can reach (a credential, role or workflow works the same way).\n"
      "PATH is the shortest chain of the rights that arrived first, with [rights] when it\n"
      "carries less than the node holds (explain shows a chain for every right).\n"
      "--evidence   after the table, every step of every path: edge id, rights carried,\n"
      "             FILE:LINE:COL and snapshot of the input that declared it\n"
      "--observed      mark what observed use (import --as usage) used at each reached node\n"
      "                and when: USED rights, EVENTS, LAST_USED (text, json, csv)\n"
      "--since DATE    start of that window (default: 90 days before --at)\n"
      "dot, svg, png, pdf: a diagram (see docs/diagrams.md); png and pdf only into a file.\n" },
    { "blast-radius", cmd_blast_radius,
      "blast-radius [PARTNER...] [--policy FILE] [--format text|json|csv|dot|svg|png|pdf]",
      "What each partner could damage: reach by kind and sensitivity, workflows, escalations.",
      "All partners when none is named.\n--policy FILE   score weights (JSON or YAML)\n"
      "dot, svg, png, pdf: a diagram of one PARTNER (see docs/diagrams.md).\n" },
    { "explain", cmd_explain, "explain PARTNER TARGET [--evidence] [--format text|json]",
      "The chains that carry PARTNER's authority to TARGET, one sentence per rights set.",
      "The first sentence is authority's path; each further one carries a right the earlier\n"
      "ones do not, until every right PARTNER holds at TARGET is covered. A step whose gate\n"
      "the chain cannot open itself cites the chain that brings the opening right.\n"
      "--evidence   after each sentence, its steps: edge id, rights carried, FILE:LINE:COL\n"
      "PARTNER may be any node (an identity, a credential...), as for authority.\n" },
    { "offboard", cmd_offboard,
      "offboard PARTNER [--min-sensitivity LEVEL] [--all] [--format text|json|dot|svg|png|pdf]",
      "Simulate ending a partnership: what remains, what breaks, the smallest cut.",
      "Applies docs/design.md's default plan in memory, not to the database: revoke every\n"
      "live credential PARTNER holds, remove its live edges, remove subcontractor_of edges\n"
      "into it. Reports the plan as a checklist, shared credentials (revoke: who breaks; keep:\n"
      "what the partner keeps), residual access of the partner and those acting for it,\n"
      "collateral for other partners and workflows, persistence risks, a minimum edge cut\n"
      "and the choke points between PARTNER and every resource or workflow at or above\n"
      "--min-sensitivity.\n"
      "--min-sensitivity LEVEL   cut targets: public, internal, confidential (default),\n"
      "                          restricted or critical\n"
      "--all     list every actor's residual and collateral and every choke point's\n"
      "          targets (by default 20 actors besides PARTNER, 20 targets per choke point)\n"
      "dot, svg, png, pdf: PARTNER's authority with the cut edges and choke points marked\n"
      "(see docs/diagrams.md); png and pdf only into a file.\n" },
    { "what-if", cmd_what_if,
      "what-if PARTNER (--grant 'FROM -KIND[RIGHT,...]-> TO' | --revoke ID)... [--expires TIME]\n"
      "       [--policy FILE] [--format text|json]\n"
      "   or: what-if [PARTNER] --until TIME [--format text|json]\n"
      "   or: what-if PARTNER --narrow-to-observed [--since DATE] [--format text|json]",
      "Apply hypothetical grants and revocations in memory: who gains or loses what.",
      "For every partner whose authority changes: the nodes and rights gained or lost and the\n"
      "score before and after. For PARTNER's new access, the four readiness tests of\n"
      "docs/design.md, with evidence: attributable (logged), narrowable (declared rights, not\n"
      "all), revocable (grants expire; credentials have an owner and an expiry and are not\n"
      "shared or multi-tenant), within purpose (inside the partner's declared scope).\n"
      "The findings the change raises and those it clears (the\n"
      "catalogue of `authpath rules` run before and after, matched by rule, subject and\n"
      "partner). The database is not changed.\n"
      "--grant SPEC    add an edge, e.g. 'svc-a -access[read,write]-> crm' (rights optional)\n"
      "--revoke ID     revoke a credential or other node by id, or remove an edge by id\n"
      "--expires TIME  the grants expire at TIME (default: no expiry)\n"
      "--policy FILE   score weights and findings policy (JSON or YAML; docs/policy.md)\n"
      "--until TIME    expiry forecast instead: what the expiries between --at and TIME cut\n"
      "                by themselves and what survives them (PARTNER, or every partner)\n"
      "--narrow-to-observed  the smallest revocations and right reductions that remove every\n"
      "                right PARTNER's chains carry and no observed event used (import --as\n"
      "                usage), while every observed use of every actor still has a chain:\n"
      "                re-checked on the changed graph; the change list (JSON for tickets),\n"
      "                the score before and after, and what could not go, with the reason\n"
      "--since DATE    start of the observed-use window (default: 90 days before --at)\n" },
    { "findings", cmd_findings,
      "findings [--rule ID...] [--partner ID] [--min-severity S] [--fail-on S] [--policy FILE]"
      " [--source-root DIR] [--sarif-max N] [--since DATE] [--format text|json|csv|sarif]",
      "What is wrong with our partner access right now: rule findings with their evidence.",
      "--rule ID          only this rule (repeatable; see authpath rules)\n"
      "--partner ID       only findings about this partner\n"
      "--min-severity S   only findings at or above S (low, medium, high, critical)\n"
      "--fail-on S        exit 1 when a finding (not waived) is at or above S\n"
      "--policy FILE      thresholds, severity overrides, waivers (JSON or YAML; docs/policy.md)\n"
      "--source-root DIR  SARIF artifact URIs relative to DIR (default: the current folder),\n"
      "                   under the uriBaseId %SRCROOT%\n"
      "--sarif-max N      at most N SARIF results, the most severe (default 25000, what\n"
      "                   code scanning accepts in a run; 0: all); the log says how many\n"
      "                   it leaves out\n"
      "--since DATE       start of the observed-use window (default: 90 days before --at):\n"
      "                   usage-not-granted, granted-never-used and attempted-not-granted\n"
      "                   compare the snapshot's events (import --as usage) with its chains\n"
      "Text groups findings by partner, most severe first; SARIF 2.1.0 drops into code\n"
      "scanning (critical/high error, medium warning, low note).\n" },
    { "report", cmd_report,
      "report [PARTNER...] [--policy FILE] [--since DATE] [--output FILE.html]",
      "The auditor's evidence pack: one self-contained HTML file for the estate or partners.",
      "A summary (snapshot, time, sources, partners ranked by score with their score split by\n"
      "sensitivity), then per partner (all by score when none is named): its authority with\n"
      "every explanation and the source of each step, delegation, paths to sensitive targets,\n"
      "the offboarding plan with its cut and choke points, and its findings with OWASP NHI and\n"
      "NIST CSF ids and waivers; diagrams as inline SVG whose nodes link to the node index. No\n"
      "script, style sheet, font or image outside the file; prints one partner a page on A4.\n"
      "When the snapshot holds observed use, each partner also gets its drift: use no chain\n"
      "carries, rights granted and never used, denied attempts (docs/sources/usage.md).\n"
      "--policy FILE   weights, thresholds, waivers and scopes (docs/policy.md)\n"
      "--since DATE    the window of observed use (default 90 days before --at)\n" },
    { "rules", cmd_rules, "rules [--format text|json|csv|markdown]",
      "The rule catalogue: id, severity, OWASP NHI and NIST CSF mapping, remediation.",
      "--format markdown prints docs/rules.md.\n" },
    { "paths", cmd_paths,
      "paths PARTNER [--to NODE] [--max-depth N] [--max-paths N] [--min-sensitivity S] "
      "[--format text|json|csv|dot|svg|png|pdf]",
      "Every authority-carrying path from PARTNER to a target, shortest first, bounded.",
      "--to NODE             paths to NODE only (default: every reached resource and\n"
      "                      workflow at or above --min-sensitivity)\n"
      "--min-sensitivity S   public, internal, confidential (default), restricted, critical\n"
      "--max-depth N         leave out paths of more than N steps (default 12)\n"
      "--max-paths N         at most N paths per target (default 20)\n"
      "--evidence            after the table, every step of every path with its source\n"
      "Paths are simple routes that carry something; RIGHTS is what each delivers. Work per\n"
      "target is bounded (256 x max-depth x (max-paths + 1) edges examined).\n"
      "PARTNER may be any node (an identity, a credential...), as for authority.\n"
      "When a bound cuts enumeration short, the output says so.\n"
      "dot, svg, png, pdf: a diagram (see docs/diagrams.md); png and pdf only into a file.\n" },
    { "delegation", cmd_delegation, "delegation [PARTNER] [--format text|json|dot|svg|png|pdf]",
      "Who acts for whom (fourth parties), delegation loops, and inherited authority.",
      "With PARTNER: its chain, the partners acting for it, the loops through it, and the\n"
      "inheritance it takes part in.\n"
      "dot, svg, png, pdf: a diagram (see docs/diagrams.md); png and pdf only into a file.\n" },
    { "export", cmd_export, "export --format opengraph|graphml|csv [--output FILE]",
      "Write the snapshot's whole graph for BloodHound CE, Gephi, networkx or spreadsheets.",
      "--format opengraph  BloodHound OpenGraph JSON (docs/sources/opengraph.md)\n"
      "--format graphml    GraphML with every attribute as data keys\n"
      "--format csv        native CSV: --output PREFIX writes PREFIX-nodes.csv,\n"
      "                    PREFIX-edges.csv and (custom rights) PREFIX-rights.csv, which\n"
      "                    `authpath import` reads back\n"
      "--output FILE       write there instead of standard output\n" },
    { "demo", cmd_demo, "demo [SAMPLES_DIR]",
      "Import the sample estate into the database and show what authpath answers.", "" },
};

const cli_cmd *cli_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* "unknown command 'expot' (did you mean 'export'?)": the commands within a few edits, or
 * whose name starts with what was typed. */
static void unknown_command(const char *name)
{
    char list[256] = "";
    char *shown = ap_text_escape(name);
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *c = commands[i].name;
        size_t d = cli_distance(name, c), used = strlen(list);
        if (d <= (len < 5 ? 1 : 2) || (len >= 3 && strncmp(c, name, len) == 0))
            snprintf(list + used, sizeof list - used, "%s'%s'", used ? " or " : "", c);
    }
    if (list[0] != '\0')
        cli_errorf("unknown command '%s' (did you mean %s? see authpath --help)",
                   shown != NULL ? shown : "?", list);
    else
        cli_errorf("unknown command '%s' (see authpath --help)", shown != NULL ? shown : "?");
    free(shown);
}

static void usage(FILE *out)
{
    fprintf(out,
        "usage: authpath [--db FILE] [--at TIME] [--snapshot N] COMMAND [ARGS...]\n\n"
        "What can a partner really do in our estate, through which chain, and what happens\n"
        "when we cut it?\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
        "\nglobal options:\n"
        "  --db FILE        the database (default $AUTHPATH_DB, else ./authpath.db)\n"
        "  --at TIME        evaluate liveness at TIME (YYYY-MM-DD[THH:MM:SSZ]; default now)\n"
        "  --snapshot N     query snapshot N (default the latest)\n"
        "  --format FORMAT  output format; each command lists its own\n"
        "  --output FILE    write the output to FILE, whole or not at all (a temporary file\n"
        "                   beside FILE is renamed over it when the command succeeds)\n"
        "  --wide           on a terminal, print tables whole (by default long cells are\n"
        "                   shortened in the middle to the terminal's width)\n"
        "  --version, --help\n"
        "Node ids that start with '-' follow `--`: authpath authority -- -partner\n\n"
        "exit status: 0 ok, 1 findings at or above --fail-on, 2 usage or input error,\n"
        "3 internal error. `authpath COMMAND --help` shows a command's options.\n");
}

/* The partial graph's image turned out damaged in a block the command read (ap_graph_image_damage):
 * what it found is not an answer. Unless some of its output is already out, it runs again from
 * a whole load (which checks the whole image and reads the rows); else it fails, saying so. */
static int run_again_whole(cli_ctx *ctx, const cli_cmd *cmd, int argc, char **argv)
{
    const char *why = ap_graph_image_damage(ctx->g);
    if (!cli_output_discard()) {
        cli_errorf("the graph image of '%s' is damaged (%s): the output above is not to be "
                   "used; delete the image ('%s-graph') or import again", ctx->db, why, ctx->db);
        return EXIT_INTERNAL;
    }
    if (getenv("AUTHPATH_TRACE") != NULL)
        cli_errorf("trace: the graph image is damaged (%s): the command runs again on a whole "
                   "load", why);
    ap_graph_free(ctx->g);
    ctx->g = NULL;
    ctx->whole = true;
    optind = 0;
    return cmd->run(ctx, argc, argv);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 1000 },
        { "at", required_argument, NULL, 1001 },
        { "snapshot", required_argument, NULL, 1002 },
        { "format", required_argument, NULL, 1003 },
        { "output", required_argument, NULL, 1004 },
        { "wide", no_argument, NULL, 1005 },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    cli_ctx ctx;
    const cli_cmd *cmd;
    int opt, rc;
    memset(&ctx, 0, sizeof ctx);
    ctx.db = getenv("AUTHPATH_DB");
    if (ctx.db == NULL || ctx.db[0] == '\0')
        ctx.db = "authpath.db";
    ctx.at = (int64_t)time(NULL);
    cli_output_init();
    ap_igraph_init();
    /* '+': stop at the command; its own options (and late global ones) are its business */
    while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return cli_output_finish(EXIT_OK);
        case 'V':
            printf("authpath %s\n", AP_VERSION);
            return cli_output_finish(EXIT_OK);
        case '?':
            return cli_output_finish(EXIT_USAGE);
        default:
            if (cli_global_option(&ctx, opt, optarg) != EXIT_OK)
                return cli_output_finish(EXIT_USAGE);
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return cli_output_finish(EXIT_USAGE);
    }
    if ((cmd = cli_command(argv[optind])) == NULL) {
        unknown_command(argv[optind]);
        return cli_output_finish(EXIT_USAGE);
    }
    argc -= optind;
    argv += optind;
    optind = 0;                 /* glibc: 0 restarts getopt; it begins after the command name */
    rc = cmd->run(&ctx, argc, argv);
    if (ctx.g != NULL && ap_graph_image_damage(ctx.g) != NULL)
        rc = run_again_whole(&ctx, cmd, argc, argv);
    ap_graph_free(ctx.g);
    ap_store_close(ctx.st);
    return cli_output_finish(rc);
}
