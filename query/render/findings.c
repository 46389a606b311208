/* query/render/findings.c: findings for people (text grouped by partner), for spreadsheets (a
 * table for CSV) and for machines (docs/json.md). They format; the rules computed. */
#include <stdlib.h>
#include <string.h>

#include "render_internal.h"

int ap_render__dump(FILE *out, json_t *doc, ap_error *err)
{
    int rc;
    if (doc == NULL)
        return ap_error_nomem(err);
    rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0
         && fputc('\n', out) != EOF ? AP_OK : ap_error_set(err, AP_EIO, "cannot write JSON");
    json_decref(doc);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static void put_spaces(FILE *out, int n)
{
    static const char spaces[] = "                                ";
    for (; n > 0; n -= (int)sizeof spaces - 1)
        fwrite(spaces, 1, n < (int)sizeof spaces - 1 ? (size_t)n : sizeof spaces - 1, out);
}

/* item after a comma unless first, at `indent` spaces: pretty (JSON_INDENT(2), every line
 * indented) or on one line (compact). */
static int dump_item(FILE *out, json_t *item, int indent, bool first, bool one_line,
                     ap_error *err)
{
    char *text;
    if (item == NULL)
        return ap_error_nomem(err);
    text = json_dumps(item, (one_line ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER);
    json_decref(item);
    if (text == NULL)
        return ap_error_nomem(err);
    /* strings hold no raw newline (JSON escapes it): every newline starts a line to indent
     * (written from a row of spaces: a format string a line cost a sixth of a SARIF log) */
    if (!first)
        fputc(',', out);
    fputc('\n', out);
    put_spaces(out, indent);
    for (const char *p = text, *nl; *p != '\0'; p = nl + 1) {
        if ((nl = strchr(p, '\n')) == NULL) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(nl - p) + 1, out);
        put_spaces(out, indent);
    }
    free(text);
    return ferror(out) ? ap_error_set(err, AP_EIO, "cannot write JSON") : AP_OK;
}

int ap_render__dump_item(FILE *out, json_t *item, int indent, bool first, ap_error *err)
{
    return dump_item(out, item, indent, first, false, err);
}

/* doc, whose empty arrays at keys[0 .. nkeys) (in the document's order, each unique) get n[k]
 * items from item(ctx, k, i), streamed one at a time; takes ownership of doc. */
static int dump_streams(FILE *out, json_t *doc, const char *const *keys, const size_t *n,
                        size_t nkeys, int indent, bool one_line,
                        json_t *(*item)(void *ctx, size_t k, size_t i, bool *skip), void *ctx,
                        ap_error *err)
{
    char *text, marker[128], *at, *pos;
    int rc = AP_OK;
    if (doc == NULL)
        return ap_error_nomem(err);
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL)
        return ap_error_nomem(err);
    pos = text;
    for (size_t k = 0; k < nkeys && rc == AP_OK; k++) {
        size_t written = 0;
        snprintf(marker, sizeof marker, "\"%s\": []", keys[k]);
        if ((at = strstr(pos, marker)) == NULL) {
            free(text);
            return ap_error_set(err, AP_EBUG, "no empty '%s' array to stream into", keys[k]);
        }
        at += strlen(marker) - 1;               /* at the closing bracket */
        fwrite(pos, 1, (size_t)(at - pos), out);
        for (size_t i = 0; i < n[k] && rc == AP_OK; i++) {
            bool skip = false;
            json_t *x = item(ctx, k, i, &skip);
            if (skip)
                continue;
            rc = dump_item(out, x, indent, written++ == 0, one_line, err);
        }
        if (rc == AP_OK && written > 0)
            fprintf(out, "\n%*s", indent - 2, "");
        pos = at;
    }
    if (rc == AP_OK && (fputs(pos, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF))
        rc = ap_error_set(err, AP_EIO, "cannot write JSON");
    free(text);
    return rc;
}

/* One array's items through dump_streams. */
typedef struct {
    json_t *(*item)(void *ctx, size_t i, bool *skip);
    void *ctx;
} one_array;

static json_t *one_item(void *ctx, size_t k, size_t i, bool *skip)
{
    const one_array *o = ctx;
    (void)k;
    return o->item(o->ctx, i, skip);
}

static int dump_stream(FILE *out, json_t *doc, const char *key, int indent, bool one_line,
                       size_t n, json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                       ap_error *err)
{
    one_array o = { item, ctx };
    return dump_streams(out, doc, &key, &n, 1, indent, one_line, one_item, &o, err);
}

int ap_render__dump_stream(FILE *out, json_t *doc, const char *key, int indent, size_t n,
                           json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                           ap_error *err)
{
    return dump_stream(out, doc, key, indent, false, n, item, ctx, err);
}

int ap_render__dump_stream_lines(FILE *out, json_t *doc, const char *key, int indent, size_t n,
                                 json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                                 ap_error *err)
{
    return dump_stream(out, doc, key, indent, true, n, item, ctx, err);
}

int ap_render_json_item(FILE *out, json_t *item, int indent, bool first, ap_error *err)
{
    return ap_render__dump_item(out, item, indent, first, err);
}

int ap_render_json_stream(FILE *out, json_t *doc, const char *key, int indent, size_t n,
                          json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                          ap_error *err)
{
    return ap_render__dump_stream(out, doc, key, indent, n, item, ctx, err);
}

int ap_render_json_streams(FILE *out, json_t *doc, const char *const *keys, const size_t *n,
                           size_t nkeys, int indent,
                           json_t *(*item)(void *ctx, size_t k, size_t i, bool *skip), void *ctx,
                           ap_error *err)
{
    return dump_streams(out, doc, keys, n, nkeys, indent, false, item, ctx, err);
}

/* The steps of a path that are printed: all of them, or the first and last half of
 * AP_FINDINGS_PATH_SHOWN; *omitted gets how many are left out after the first half. */
static size_t shown_step(size_t i, size_t npath, size_t *omitted)
{
    size_t half = AP_FINDINGS_PATH_SHOWN / 2;
    *omitted = npath > AP_FINDINGS_PATH_SHOWN ? npath - AP_FINDINGS_PATH_SHOWN : 0;
    return i < half || *omitted == 0 ? i : i + *omitted;
}

size_t ap_render__path_step(size_t k, size_t npath)
{
    size_t omitted;
    return shown_step(k, npath, &omitted);
}

size_t ap_render__path_shown(size_t npath)
{
    return npath > AP_FINDINGS_PATH_SHOWN ? AP_FINDINGS_PATH_SHOWN : npath;
}

json_t *ap_render__evidence(const ap_graph *g, const ap_finding *f)
{
    json_t *ev = json_object(), *nodes = json_array(), *facts = json_object();
    json_t *path = json_array(), *src = json_object();
    size_t omitted = 0;
    if (ev == NULL || nodes == NULL || facts == NULL || path == NULL || src == NULL) {
        json_decref(ev);
        json_decref(nodes);
        json_decref(facts);
        json_decref(path);
        json_decref(src);
        return NULL;
    }
    for (size_t i = 0; i < f->nnodes && i < AP_FINDINGS_NODES_SHOWN; i++)
        json_array_append_new(nodes, json_string(ap_graph_node(g, f->nodes[i])->id));
    for (size_t i = 0; i < f->nfacts; i++)
        json_object_set_new(facts, f->facts[i].key, json_string(f->facts[i].value));
    for (size_t k = 0; k < ap_render__path_shown(f->npath); k++) {
        const ap_edge *e = ap_graph_edge(g, f->path[shown_step(k, f->npath, &omitted)]);
        json_t *step = json_object();
        json_object_set_new(step, "id", json_string(e->id));
        json_object_set_new(step, "from", json_string(ap_graph_node(g, e->from)->id));
        json_object_set_new(step, "to", json_string(ap_graph_node(g, e->to)->id));
        json_object_set_new(step, "kind", json_string(ap_edge_kind_name(e->kind)));
        json_array_append_new(path, step);
    }
    json_object_set_new(src, "file", json_string(ap_graph_source_path(g, f->file)));
    json_object_set_new(src, "line", json_integer(f->line));
    json_object_set_new(src, "col", json_integer(f->col));
    json_t *partners = json_array();
    for (size_t i = 0; partners != NULL && i < f->npartners && i < AP_FINDINGS_PARTNERS_SHOWN;
         i++)
        json_array_append_new(partners, json_string(ap_graph_node(g, f->partners[i])->id));
    json_object_set_new(ev, "partner", json_string(ap_graph_node(g, f->partner)->id));
    json_object_set_new(ev, "partners", partners != NULL ? partners : json_null());
    if (f->npartners > AP_FINDINGS_PARTNERS_SHOWN)
        json_object_set_new(ev, "partners_more",
                            json_integer((json_int_t)(f->npartners - AP_FINDINGS_PARTNERS_SHOWN)));
    json_object_set_new(ev, "nodes", nodes);
    if (f->nnodes > AP_FINDINGS_NODES_SHOWN)
        json_object_set_new(ev, "nodes_more",
                            json_integer((json_int_t)(f->nnodes - AP_FINDINGS_NODES_SHOWN)));
    json_object_set_new(ev, "facts", facts);
    json_object_set_new(ev, "path", path);
    if (omitted > 0) {
        json_t *o = json_object();
        json_object_set_new(o, "after", json_integer(AP_FINDINGS_PATH_SHOWN / 2));
        json_object_set_new(o, "steps", json_integer((json_int_t)omitted));
        json_object_set_new(ev, "path_omitted", o);
    }
    json_object_set_new(ev, "source", src);
    return ev;
}

json_t *ap_render__waiver(const ap_graph *g, const ap_finding *f)
{
    char d[32];
    json_t *w;
    if (f->waiver == NULL || (w = json_object()) == NULL)
        return NULL;
    ap_date_format(d, sizeof d, f->waiver->expires);
    json_object_set_new(w, "owner", json_string(f->waiver->owner));
    json_object_set_new(w, "reason", json_string(f->waiver->reason));
    json_object_set_new(w, "expires", json_string(d));
    json_object_set_new(w, "expired", json_boolean(ap_graph_at(g) >= f->waiver->expires));
    return w;
}

/* 1: jansson takes s; 0: it is not valid UTF-8; -1: out of memory. */
static int encodable(const char *s)
{
    json_t *j;
    if (s == NULL)
        return 1;
    if ((j = json_string(s)) == NULL && (j = json_string_nocheck(s)) != NULL) {
        json_decref(j);
        return 0;                           /* taken unchecked: refused for its bytes */
    }
    json_decref(j);
    return j != NULL ? 1 : -1;
}

/* The place of a string that JSON cannot carry, into err. */
static int not_encodable(ap_error *err, int ok, const ap_finding *f, size_t i,
                         const char *what, const char *name, size_t k)
{
    char where[160];
    if (ok < 0)
        return ap_error_nomem(err);
    if (name != NULL)
        snprintf(where, sizeof where, "%s '%s'", what, name);
    else if (k != (size_t)-1)
        snprintf(where, sizeof where, "%s %zu", what, k + 1);
    else
        snprintf(where, sizeof where, "%s", what);
    return ap_error_set(err, AP_EINPUT, "finding %zu (rule %s): its %s is not valid UTF-8, "
                        "which JSON cannot carry (no finding is written short of it)", i + 1,
                        f->rule->id, where);
}

int ap_render__finding_encodable(const ap_graph *g, const ap_finding *f, size_t i,
                                 ap_error *err)
{
    int ok;
#define CHECK(s, what, name, k)                                                               \
    do {                                                                                      \
        if ((ok = encodable(s)) != 1)                                                         \
            return not_encodable(err, ok, f, i, what, name, k);                               \
    } while (0)
    CHECK(ap_finding_subject_id(g, f), "subject", NULL, (size_t)-1);
    CHECK(ap_graph_node(g, f->partner)->id, "partner", NULL, (size_t)-1);
    CHECK(f->message, "message", NULL, (size_t)-1);
    for (size_t k = 0; k < f->npartners && k < AP_FINDINGS_PARTNERS_SHOWN; k++)
        CHECK(ap_graph_node(g, f->partners[k])->id, "partner", NULL, k);
    for (size_t k = 0; k < f->nnodes && k < AP_FINDINGS_NODES_SHOWN; k++)
        CHECK(ap_graph_node(g, f->nodes[k])->id, "evidence node", NULL, k);
    for (size_t k = 0; k < f->nfacts; k++)
        CHECK(f->facts[k].value, "fact", f->facts[k].key, (size_t)-1);
    for (size_t k = 0; k < ap_render__path_shown(f->npath); k++) {
        const ap_edge *e = ap_graph_edge(g, f->path[ap_render__path_step(k, f->npath)]);
        CHECK(e->id, "path step (edge id)", NULL, k);
        CHECK(ap_graph_node(g, e->from)->id, "path step (from)", NULL, k);
        CHECK(ap_graph_node(g, e->to)->id, "path step (to)", NULL, k);
    }
    CHECK(ap_graph_source_path(g, f->file), "source file", NULL, (size_t)-1);
    if (f->waiver != NULL) {
        CHECK(f->waiver->owner, "waiver owner", NULL, (size_t)-1);
        CHECK(f->waiver->reason, "waiver reason", NULL, (size_t)-1);
    }
#undef CHECK
    return AP_OK;
}

typedef struct {
    const ap_graph *g;
    const ap_findings *f;
    ap_error why;               /* why an item stopped the stream, when it was not memory */
    bool stopped;
} json_ctx;

static json_t *finding_json(void *ctx, size_t i, bool *skip)
{
    json_ctx *jc = ctx;
    const ap_graph *g = jc->g;
    const ap_finding *x = ap_findings_get(jc->f, i);
    json_t *o, *ev, *w;
    if (x == NULL) {                /* the store cannot be read: the stream stops */
        jc->stopped = true;
        ap_error_set(&jc->why, AP_EIO, "cannot read back a finding from its store");
        return NULL;
    }
    if ((*skip = x->waived))
        return NULL;
    if (ap_render__finding_encodable(g, x, i, &jc->why) < 0) {
        jc->stopped = true;         /* said, not written short */
        return NULL;
    }
    if ((o = json_object()) == NULL || (ev = ap_render__evidence(g, x)) == NULL) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "rule", json_string(x->rule->id));
    json_object_set_new(o, "severity", json_string(ap_severity_name(x->severity)));
    json_object_set_new(o, "subject", json_string(ap_finding_subject_id(g, x)));
    json_object_set_new(o, "message", json_string(x->message));
    json_object_set_new(o, "owasp_nhi", str_or_null(x->rule->owasp_nhi));
    json_object_set_new(o, "nist_csf", str_or_null(x->rule->nist_csf));
    json_object_set_new(o, "evidence", ev);
    json_object_set_new(o, "partner", json_string(ap_graph_node(g, x->partner)->id));
    if ((w = ap_render__waiver(g, x)) != NULL)
        json_object_set_new(o, "waiver", w);
    return o;
}

int ap_findings_write_json(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    json_t *root = json_object();
    json_ctx jc = { g, f, { 0 }, false };
    char at[32];
    int rc;
    if (root == NULL)
        return ap_error_nomem(err);
    ap_time_format(at, sizeof at, ap_graph_at(g));
    json_object_set_new(root, "at", json_string(at));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "findings", json_array());
    json_object_set_new(root, "waived", json_integer((json_int_t)ap_findings_waived(f)));
    /* one finding at a time: memory follows the largest finding, not the whole list */
    rc = ap_render__dump_stream(out, root, "findings", 4, ap_findings_count(f), finding_json,
                                &jc, err);
    if (rc < 0 && jc.stopped) {     /* the item's own reason, not the stream's "out of memory" */
        *err = jc.why;
        rc = jc.why.code;
    }
    return rc;
}

/* "a > b > c" of a finding's path (its partner alone when it has none), the steps past
 * AP_FINDINGS_PATH_SHOWN elided in the middle as "> [N more steps] >"; *out owns it. */
static char *chain_text(const ap_graph *g, const ap_finding *f)
{
    size_t shown = ap_render__path_shown(f->npath), omitted = 0;
    size_t size = strlen(ap_graph_node(g, f->partner)->id) + 64;
    char *s;
    for (size_t k = 0; k < shown; k++) {
        const ap_edge *e = ap_graph_edge(g, f->path[shown_step(k, f->npath, &omitted)]);
        size += strlen(ap_graph_node(g, e->from)->id) + strlen(ap_graph_node(g, e->to)->id) + 4;
    }
    if ((s = malloc(size)) == NULL)
        return NULL;
    strcpy(s, f->npath ? ap_graph_node(g, ap_graph_edge(g, f->path[0])->from)->id
                       : ap_graph_node(g, f->partner)->id);
    for (size_t k = 0; k < shown; k++) {
        size_t i = shown_step(k, f->npath, &omitted);
        if (omitted > 0 && k == AP_FINDINGS_PATH_SHOWN / 2) {
            size_t used = strlen(s);
            snprintf(s + used, size - used, " > [%zu more steps] > %s", omitted,
                     ap_graph_node(g, ap_graph_edge(g, f->path[i])->from)->id);
        }
        strcat(s, " > ");
        strcat(s, ap_graph_node(g, ap_graph_edge(g, f->path[i])->to)->id);
    }
    return s;
}

/* "key value; key value" of a finding's facts; *out owns it. */
static char *facts_text(const ap_finding *f)
{
    size_t size = 1;
    char *s;
    for (size_t i = 0; i < f->nfacts; i++)
        size += strlen(f->facts[i].key) + strlen(f->facts[i].value) + 3;
    if ((s = malloc(size)) == NULL)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < f->nfacts; i++) {
        if (i > 0)
            strcat(s, "; ");
        strcat(s, f->facts[i].key);
        strcat(s, " ");
        strcat(s, f->facts[i].value);
    }
    return s;
}

static const char *const table_head[] = { "PARTNER", "SEVERITY", "RULE", "SUBJECT",
                                          "OWASP_NHI", "NIST_CSF", "MESSAGE", "PATH", "FACTS",
                                          "FILE", "LINE", "WAIVER" };

/* Each shown finding's row, to `put` (a table or a CSV stream) one at a time. */
static int each_row(const ap_graph *g, const ap_findings *f,
                    int (*put)(void *, const char *const *, ap_error *), void *to,
                    ap_error *err)
{
    int rc = AP_OK;
    for (size_t i = 0; i < ap_findings_count(f) && rc == AP_OK; i++) {
        const ap_finding *x = ap_findings_get(f, i);
        char line[16], waiver[64] = "";
        if (x == NULL)
            return ap_error_set(err, AP_EIO, "cannot read back a finding from its store");
        if (x->waived)
            continue;
        char *chain = chain_text(g, x), *facts = facts_text(x);
        snprintf(line, sizeof line, "%u", x->line);
        if (x->waiver != NULL) {
            char d[32];
            ap_date_format(d, sizeof d, x->waiver->expires);
            snprintf(waiver, sizeof waiver, "expired %s", d);
        }
        const char *row[12] = { ap_graph_node(g, x->partner)->id, ap_severity_name(x->severity),
                                x->rule->id, ap_finding_subject_id(g, x), x->rule->owasp_nhi,
                                x->rule->nist_csf, x->message, chain, facts,
                                ap_graph_source_path(g, x->file), line, waiver };
        rc = chain == NULL || facts == NULL ? ap_error_nomem(err) : put(to, row, err);
        free(chain);
        free(facts);
    }
    return rc;
}

static int put_table(void *to, const char *const *row, ap_error *err)
{
    return ap_table_add(to, row, err);
}

static int put_csv(void *to, const char *const *row, ap_error *err)
{
    return ap_csv_write_row(to, row, 12, err);
}

int ap_findings_table(ap_table **out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    ap_table *t = NULL;
    int rc;
    *out = NULL;
    if ((rc = ap_table_new(&t, 12, table_head, err)) < 0)
        return rc;
    if ((rc = each_row(g, f, put_table, t, err)) < 0) {
        ap_table_free(t);
        return rc;
    }
    *out = t;
    return AP_OK;
}

int ap_findings_write_csv(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    int rc = ap_csv_write_row(out, table_head, 12, err);
    if (rc == AP_OK)
        rc = each_row(g, f, put_csv, out, err);
    if (rc == AP_OK && ferror(out))
        rc = ap_error_set(err, AP_EIO, "cannot write CSV");
    return rc;
}

/* Print user text escaped for a terminal. */
static int put_text(FILE *out, const char *prefix, const char *s, const char *suffix)
{
    char *e = ap_text_escape(s);
    if (e == NULL)
        return -1;
    fputs(prefix, out);         /* (a message a finding, hundreds of thousands: no format) */
    fputs(e, out);
    fputs(suffix, out);
    free(e);
    return 0;
}

int ap_findings_write_text(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    size_t by_sev[AP_SEV_COUNT] = { 0 }, shown = 0;
    uint32_t partner = AP_UNREACHED;
    int bad = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        if (x == NULL)
            return ap_error_set(err, AP_EIO, "cannot read back a finding from its store");
        if (x->waived)
            continue;
        if (x->partner != partner) {
            size_t k = i, count = 0;
            partner = x->partner;
            for (; k < ap_findings_count(f) && ap_findings_peek(f, k)->partner == partner; k++)
                count += !ap_findings_peek(f, k)->waived;
            bad |= put_text(out, shown ? "\n" : "", ap_graph_node_label(g, partner), " (");
            bad |= put_text(out, "", ap_graph_node(g, partner)->id, ")");
            fprintf(out, ": %zu finding%s\n", count, count == 1 ? "" : "s");
        }
        char *chain = chain_text(g, x), *facts = facts_text(x);
        char sev[16];
        snprintf(sev, sizeof sev, "%s", ap_severity_name(x->severity));
        for (char *p = sev; *p; p++)
            *p = (char)(*p - 'a' + 'A');
        fprintf(out, "  %-8s  %s  ", sev, x->rule->id);
        bad |= put_text(out, "", ap_finding_subject_id(g, x), "\n");
        bad |= put_text(out, "    ", x->message, "\n");
        if (x->npartners > 1) {
            fprintf(out, "    partners (%zu):", x->npartners);
            for (size_t k = 0; k < x->npartners && k < 20; k++)
                bad |= put_text(out, " ", ap_graph_node(g, x->partners[k])->id, "");
            if (x->npartners > 20)
                fprintf(out, " and %zu more", x->npartners - 20);
            fputc('\n', out);
        }
        if (facts != NULL && facts[0] != '\0')
            bad |= put_text(out, "    evidence: ", facts, "\n");
        if (x->npath > 0 && chain != NULL)
            bad |= put_text(out, "    path: ", chain, "\n");
        bad |= put_text(out, "    source: ", ap_graph_source_path(g, x->file), "");
        fprintf(out, ":%u\n", x->line);
        if (x->waiver != NULL) {
            char d[32];
            ap_date_format(d, sizeof d, x->waiver->expires);
            bad |= put_text(out, "    waiver by ", x->waiver->owner, "");
            fprintf(out, " expired on %s: ", d);
            bad |= put_text(out, "", x->waiver->reason, "\n");
        }
        bad |= chain == NULL || facts == NULL;
        free(chain);
        free(facts);
        by_sev[x->severity]++;
        shown++;
    }
    fprintf(out, "%s%zu finding%s (%zu critical, %zu high, %zu medium, %zu low)",
            shown ? "\n" : "", shown, shown == 1 ? "" : "s", by_sev[AP_SEV_CRITICAL],
            by_sev[AP_SEV_HIGH], by_sev[AP_SEV_MEDIUM], by_sev[AP_SEV_LOW]);
    if (ap_findings_waived(f) > 0)
        fprintf(out, "; %zu waived", ap_findings_waived(f));
    fputc('\n', out);
    return bad ? ap_error_nomem(err) : AP_OK;
}
