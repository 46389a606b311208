/* query/render/sarif.c: findings as SARIF 2.1.0, shaped for GitHub code scanning: every rule
 * with help and its OWASP NHI / NIST CSF mapping, results located at the subject's input line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render_internal.h"

#define SARIF_FLOW_SHOWN 16      /* steps of a path a code flow shows: the first and last 8 */

static const char *level_of(ap_severity s)   /* critical/high error, medium warning, low note */
{
    return s >= AP_SEV_HIGH ? "error" : s == AP_SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(ap_severity s)   /* GitHub's bands: >9 critical, 7-8.9 ... */
{
    static const char *const score[AP_SEV_COUNT] = { "2.0", "5.5", "8.0", "9.5" };
    return score[s];
}

static json_t *text_obj(const char *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(s));
    return o;
}

/* "credential-no-expiry" -> "CredentialNoExpiry": SARIF wants a name apart from the id. */
static void pascal_name(char *buf, size_t size, const char *id)
{
    size_t o = 0;
    bool up = true;
    for (const char *p = id; *p != '\0' && o + 1 < size; p++) {
        if (*p == '-' || *p == '_') {
            up = true;
            continue;
        }
        buf[o++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    buf[o] = '\0';
}

static json_t *rule_json(const ap_rule *r, ap_severity sev, const char *rules_uri)
{
    char name[128];
    json_t *o = json_object(), *help = json_object(), *conf = json_object();
    json_t *props = json_object(), *tags = json_array();
    char md[2048];
    snprintf(md, sizeof md, "**%s**\n\n%s\n\n**Remediation:** %s\n\nOWASP NHI Top 10 (2025): "
             "%s. NIST CSF 2.0: %s.", r->title, r->description, r->remediation,
             r->owasp_nhi[0] ? r->owasp_nhi : "none", r->nist_csf);
    json_object_set_new(o, "id", json_string(r->id));
    pascal_name(name, sizeof name, r->id);
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "shortDescription", text_obj(r->title));
    json_object_set_new(o, "fullDescription", text_obj(r->description));
    json_object_set_new(help, "text", json_string(r->remediation));
    json_object_set_new(help, "markdown", json_string(md));
    json_object_set_new(o, "help", help);
    if (rules_uri != NULL) {        /* docs/rules.md has a heading per rule id: its anchor */
        char uri[1024];
        snprintf(uri, sizeof uri, "%s#%s", rules_uri, r->id);
        json_object_set_new(o, "helpUri", json_string(uri));
    }
    json_object_set_new(conf, "level", json_string(level_of(sev)));
    json_object_set_new(o, "defaultConfiguration", conf);
    json_array_append_new(tags, json_string("security"));
    if (r->owasp_nhi[0] != '\0')
        json_array_append_new(tags, json_string(r->owasp_nhi));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "precision", json_string("high"));
    json_object_set_new(props, "security-severity", json_string(security_severity(sev)));
    json_object_set_new(props, "severity", json_string(ap_severity_name(sev)));
    json_object_set_new(props, "owasp-nhi", r->owasp_nhi[0] ? json_string(r->owasp_nhi)
                                                           : json_null());
    json_object_set_new(props, "nist-csf", json_string(r->nist_csf));
    json_object_set_new(o, "properties", props);
    return o;
}

/* RFC 3986: everything but unreserved characters and '/' as %XX. */
static void uri_encode(char *buf, size_t size, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < size; p++) {
        if (isalnum(*p) || strchr("-._~/", *p) != NULL) {
            buf[o++] = (char)*p;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 15];
        }
    }
    buf[o] = '\0';
}

/* Where the artifact URIs start: an absolute folder without a final '/'. */
typedef struct {
    char root[4096];
    const ap_graph *g;
} uri_base;

/* The artifact of an input file: relative to the source root, under the base id %SRCROOT%
 * (code scanning resolves it against the checkout), or a file:// URI when it lies outside. */
static json_t *artifact(const uri_base *b, int64_t file)
{
    const char *path = ap_graph_source_path(b->g, file);
    size_t n = strlen(b->root);
    json_t *art = json_object();
    char uri[8192];
    if (path[0] != '/') {
        uri_encode(uri, sizeof uri, path[0] == '.' && path[1] == '/' ? path + 2 : path);
    } else if (n > 0 && strncmp(path, b->root, n) == 0 && path[n] == '/') {
        uri_encode(uri, sizeof uri, path + n + 1);
    } else if (n <= 1 && path[0] == '/' && strcmp(b->root, "/") == 0) {
        uri_encode(uri, sizeof uri, path + 1);
    } else {
        memcpy(uri, "file://", 7);
        uri_encode(uri + 7, sizeof uri - 7, path);
        json_object_set_new(art, "uri", json_string(uri));
        return art;
    }
    json_object_set_new(art, "uri", json_string(uri));
    json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
    return art;
}

/* A physical location at file:line (line 1 when unknown, as SARIF wants startLine >= 1). */
static json_t *physical(const uri_base *b, int64_t file, unsigned line, unsigned col)
{
    json_t *o = json_object(), *region = json_object();
    json_object_set_new(o, "artifactLocation", artifact(b, file));
    json_object_set_new(region, "startLine", json_integer(line > 0 ? line : 1));
    if (col > 0)
        json_object_set_new(region, "startColumn", json_integer(col));
    json_object_set_new(o, "region", region);
    return o;
}

/* A stable fingerprint: FNV-1a 64 of rule, partner and subject ids. */
static void fingerprint(char *buf, size_t size, const char *rule, const char *partner,
                        const char *subject)
{
    const char *parts[3] = { rule, partner, subject };
    uint64_t h = 14695981039346656037ull;
    for (int i = 0; i < 3; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;      /* separator: no two splits hash alike */
    }
    snprintf(buf, size, "%016llx", (unsigned long long)h);
}

/* The witness path as a code flow: one location per edge, at the edge's input line. */
static json_t *code_flows(const uri_base *b, const ap_finding *f)
{
    const ap_graph *g = b->g;
    json_t *locs = json_array(), *thread = json_object(), *threads = json_array();
    json_t *flow = json_object(), *flows = json_array();
    /* a long path: its first and last SARIF_FLOW_SHOWN / 2 steps, a location between that
     * counts the rest (every step is in properties.evidence up to its own limit) */
    size_t half = SARIF_FLOW_SHOWN / 2;
    size_t skip = f->npath > SARIF_FLOW_SHOWN ? f->npath - SARIF_FLOW_SHOWN : 0;
    for (size_t i = 0; i < f->npath; i++) {
        const ap_edge *e = ap_graph_edge(g, f->path[i]);
        json_t *loc = json_object(), *tfl = json_object();
        char msg[512];
        if (skip > 0 && i == half) {
            snprintf(msg, sizeof msg, "%zu more steps (authpath explain prints the whole chain)",
                     skip);
            json_object_set_new(loc, "message", text_obj(msg));
            json_object_set_new(tfl, "location", loc);
            json_array_append_new(locs, tfl);
            i += skip - 1;
            continue;
        }
        snprintf(msg, sizeof msg, "%s %s %s", ap_graph_node(g, e->from)->id,
                 ap_edge_kind_name(e->kind), ap_graph_node(g, e->to)->id);
        json_object_set_new(loc, "physicalLocation", physical(b, e->file, e->line, e->col));
        json_object_set_new(loc, "message", text_obj(msg));
        json_object_set_new(tfl, "location", loc);
        json_array_append_new(locs, tfl);
    }
    json_object_set_new(thread, "locations", locs);
    json_array_append_new(threads, thread);
    json_object_set_new(flow, "threadFlows", threads);
    json_array_append_new(flows, flow);
    return flows;
}

static json_t *result_json(const uri_base *b, const ap_finding *f)
{
    const ap_graph *g = b->g;
    json_t *o = json_object(), *loc = json_object(), *locs = json_array();
    json_t *logical = json_object(), *logicals = json_array(), *fp = json_object();
    json_t *props = json_object(), *w;
    const char *subject = ap_finding_subject_id(g, f);
    const char *partner = ap_graph_node(g, f->partner)->id;
    char hash[32], fqn[1024];
    json_object_set_new(o, "ruleId", json_string(f->rule->id));
    json_object_set_new(o, "ruleIndex", json_integer((json_int_t)(f->rule - ap_rule_at(0))));
    json_object_set_new(o, "level", json_string(level_of(f->severity)));
    json_object_set_new(o, "message", text_obj(f->message));
    json_object_set_new(loc, "physicalLocation", physical(b, f->file, f->line, f->col));
    snprintf(fqn, sizeof fqn, "%s/%s", partner, subject);
    json_object_set_new(logical, "name", json_string(subject));
    json_object_set_new(logical, "fullyQualifiedName", json_string(fqn));
    json_object_set_new(logical, "kind", json_string(f->subject_is_edge ? "edge"
                            : ap_kind_name(ap_graph_node(g, f->subject)->kind)));
    json_array_append_new(logicals, logical);
    json_object_set_new(loc, "logicalLocations", logicals);
    json_array_append_new(locs, loc);
    json_object_set_new(o, "locations", locs);
    if (f->npath > 0)
        json_object_set_new(o, "codeFlows", code_flows(b, f));
    /* one result per root cause: every partner it is about is a related location */
    if (f->npartners > 1) {
        json_t *rel = json_array();
        for (size_t i = 0; i < f->npartners && i < AP_FINDINGS_PARTNERS_SHOWN; i++) {
            const ap_node *nd = ap_graph_node(g, f->partners[i]);
            json_t *r = json_object();
            char msg[512];
            snprintf(msg, sizeof msg, "partner %s", nd->id);
            json_object_set_new(r, "id", json_integer((json_int_t)i));
            json_object_set_new(r, "physicalLocation", physical(b, nd->file, nd->line, nd->col));
            json_object_set_new(r, "message", text_obj(msg));
            json_array_append_new(rel, r);
        }
        json_object_set_new(o, "relatedLocations", rel);
    }
    fingerprint(hash, sizeof hash, f->rule->id, partner, subject);
    json_object_set_new(fp, "authpathFinding/v1", json_string(hash));
    json_object_set_new(o, "partialFingerprints", fp);
    if (f->waived) {
        json_t *sup = json_object(), *sups = json_array();
        json_object_set_new(sup, "kind", json_string("external"));
        json_object_set_new(sup, "status", json_string("accepted"));
        json_object_set_new(sup, "justification", json_string(f->waiver->reason));
        json_array_append_new(sups, sup);
        json_object_set_new(o, "suppressions", sups);
    }
    json_object_set_new(props, "partner", json_string(partner));
    json_object_set_new(props, "severity", json_string(ap_severity_name(f->severity)));
    json_object_set_new(props, "owasp-nhi", f->rule->owasp_nhi[0]
                                            ? json_string(f->rule->owasp_nhi) : json_null());
    json_object_set_new(props, "nist-csf", json_string(f->rule->nist_csf));
    json_object_set_new(props, "evidence", ap_render__evidence(g, f));
    if ((w = ap_render__waiver(g, f)) != NULL)
        json_object_set_new(props, "waiver", w);
    json_object_set_new(o, "properties", props);
    return o;
}

typedef struct {
    uri_base base;
    const ap_findings *f;
    /* the results kept: severity above cut, and the first quota of severity cut (every
     * finding when cut is AP_SEV_NONE) */
    ap_severity cut;
    size_t quota, seen;
    ap_error why;               /* why an item stopped the stream, when it was not memory */
    bool stopped;
} sarif_ctx;

static json_t *result_item(void *ctx, size_t i, bool *skip)
{
    sarif_ctx *sc = ctx;
    if (sc->cut != AP_SEV_NONE) {       /* the header only: no evidence read back */
        ap_severity s = ap_findings_peek(sc->f, i)->severity;
        *skip = s < sc->cut || (s == sc->cut && sc->seen++ >= sc->quota);
        if (*skip)
            return NULL;
    }
    const ap_finding *x = ap_findings_get(sc->f, i);
    *skip = false;
    if (x == NULL)                  /* the store cannot be read: the stream stops */
        ap_error_set(&sc->why, AP_EIO, "cannot read back a finding from its store");
    if (x == NULL || ap_render__finding_encodable(sc->base.g, x, i, &sc->why) < 0) {
        sc->stopped = true;         /* said, not written short */
        return NULL;
    }
    return result_json(&sc->base, x);
}

/* Keep the max most severe of f's findings (sc->cut, sc->quota); the number left out. */
static size_t choose(sarif_ctx *sc, size_t max)
{
    size_t n = ap_findings_count(sc->f), count[AP_SEV_COUNT] = { 0 }, kept = 0;
    sc->cut = AP_SEV_NONE;
    if (max == 0 || n <= max)
        return 0;
    for (size_t i = 0; i < n; i++)
        count[ap_findings_peek(sc->f, i)->severity]++;
    for (int s = AP_SEV_COUNT - 1; s >= 0; s--) {
        if (kept + count[s] >= max) {
            sc->cut = (ap_severity)s;
            sc->quota = max - kept;
            break;
        }
        kept += count[s];
    }
    return n - max;
}

/* The run's invocation, saying what was left out, and its properties with the counts. */
static void say_omitted(json_t *run, size_t total, size_t omitted)
{
    json_t *inv = json_object(), *invs = json_array(), *note = json_object();
    json_t *notes = json_array(), *props = json_object();
    char msg[512];
    snprintf(msg, sizeof msg, "%zu of %zu findings are not in this log: it holds the %zu most "
             "severe (code scanning rejects a run of more than %d results). authpath findings "
             "--format json lists them all; --sarif-max 0 writes every one here.",
             omitted, total, total - omitted, AP_SARIF_CODE_SCANNING_MAX);
    json_object_set_new(note, "level", json_string("warning"));
    json_object_set_new(note, "message", text_obj(msg));
    json_array_append_new(notes, note);
    json_object_set_new(inv, "executionSuccessful", json_true());
    json_object_set_new(inv, "toolExecutionNotifications", notes);
    json_array_append_new(invs, inv);
    json_object_set_new(run, "invocations", invs);
    json_object_set_new(props, "findings", json_integer((json_int_t)total));
    json_object_set_new(props, "findingsOmitted", json_integer((json_int_t)omitted));
    json_object_set_new(run, "properties", props);
}

int ap_findings_write_sarif(FILE *out, const ap_graph *g, const ap_findings *f,
                            const char *tool_version, ap_error *err)
{
    ap_sarif_opts o = { tool_version, NULL, NULL, NULL, 0 };
    return ap_findings_write_sarif_with(out, g, f, &o, err);
}

int ap_findings_write_sarif_with(FILE *out, const ap_graph *g, const ap_findings *f,
                                 const ap_sarif_opts *opts, ap_error *err)
{
    json_t *root = json_object(), *runs = json_array(), *run = json_object();
    json_t *tool = json_object(), *driver = json_object(), *rules = json_array();
    json_t *results = json_array(), *automation = json_object();
    sarif_ctx *sc = calloc(1, sizeof *sc);
    uri_base *b = sc != NULL ? &sc->base : NULL;
    char id[64];
    int rc;
    if (sc == NULL) {
        json_decref(root);
        json_decref(runs);
        json_decref(run);
        json_decref(tool);
        json_decref(driver);
        json_decref(rules);
        json_decref(results);
        json_decref(automation);
        return ap_error_nomem(err);
    }
    b->g = g;
    sc->f = f;
    size_t omitted = choose(sc, opts->max_results);
    if (opts->source_root != NULL)
        snprintf(b->root, sizeof b->root, "%s", opts->source_root);
    else if (getcwd(b->root, sizeof b->root) == NULL)
        b->root[0] = '\0';
    for (size_t n = strlen(b->root); n > 1 && b->root[n - 1] == '/'; n--)
        b->root[n - 1] = '\0';
    for (size_t i = 0; i < ap_rule_count(); i++)
        json_array_append_new(rules, rule_json(ap_rule_at(i),
                                               ap_findings_rule_severity(f, ap_rule_at(i)),
                                               opts->rules_uri));
    json_object_set_new(driver, "name", json_string("authpath"));
    json_object_set_new(driver, "semanticVersion", json_string(opts->tool_version));
    if (opts->information_uri != NULL)
        json_object_set_new(driver, "informationUri", json_string(opts->information_uri));
    json_object_set_new(driver, "rules", rules);
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);
    /* category "authpath/findings" (what code scanning keeps apart), run: the snapshot */
    snprintf(id, sizeof id, "authpath/findings/snapshot-%lld", (long long)ap_graph_snapshot(g));
    json_object_set_new(automation, "id", json_string(id));
    json_object_set_new(run, "automationDetails", automation);
    if (opts->source_root != NULL) {    /* the folder named: say where it is */
        json_t *bases = json_object(), *srcroot = json_object();
        char uri[8192];
        size_t n;
        memcpy(uri, "file://", 7);
        uri_encode(uri + 7, sizeof uri - 8, b->root);
        n = strlen(uri);
        if (uri[n - 1] != '/')
            strcpy(uri + n, "/");
        json_object_set_new(srcroot, "uri", json_string(uri));
        json_object_set_new(bases, "%SRCROOT%", srcroot);
        json_object_set_new(run, "originalUriBaseIds", bases);
    }
    json_object_set_new(run, "results", results);
    if (omitted > 0)
        say_omitted(run, ap_findings_count(f), omitted);
    json_array_append_new(runs, run);
    json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/"
                                                     "sarif-2.1.0.json"));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "runs", runs);
    /* one result at a time, a line each: memory follows the largest result, not the whole log */
    rc = ap_render__dump_stream_lines(out, root, "results", 8, ap_findings_count(f), result_item,
                                      sc, err);
    if (rc < 0 && sc->stopped) {    /* the item's own reason, not the stream's "out of memory" */
        *err = sc->why;
        rc = sc->why.code;
    }
    free(sc);
    return rc;
}
