/* import/usage.c: an import of observed use. Streams each file's events, resolves actors to
 * the snapshot's nodes, stores them beside that snapshot in one transaction, counts the unknown. */
#include <fcntl.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usage_internal.h"

#define UNKNOWN_SET_MAX 100000  /* distinct unknown names tracked exactly; beyond: "at least" */
#define TARGET_CACHE_MAX 65536

struct ap_usage_import {
    ap_store *st;
    ap_graph *g;
    const char *path;
    int64_t file;
    uint32_t *resources;        /* nodes a target may stand for: resources and workflows */
    size_t nres;
    json_t *targets;            /* target -> known (a cache) */
    json_t *unknown_actors, *unknown_targets;
    json_t *apps;               /* app_id (lower case) -> node id; built on first use */
    json_t *subjects;           /* "User NAME" / "Group NAME" -> partner node id (a partner
                                 * map's subjects, k8s_subjects); built on first use */
    ap_usage_report rep;
};

bool ap_import__usage_file(const char *path)
{
    char buf[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n >= 2 && (((unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE)
                   || ((unsigned char)buf[0] == 0xFE && (unsigned char)buf[1] == 0xFF))) {
        /* UTF-16 (Graph PowerShell): its head decoded, a character cut at the end left out */
        const char *text = buf;
        char *owned = NULL;
        size_t len = (size_t)n & ~(size_t)1;
        ap_error ignored;
        bool hit;
        if (ap_import__decode(&owned, &text, &len, path, &ignored) < 0) {
            len -= 2;                               /* a surrogate pair cut in two */
            if (len < 2 || ap_import__decode(&owned, &text, &len, path, &ignored) < 0)
                return false;
        }
        hit = ap_import__usage_text(text, len, NULL, 0);
        free(owned);
        return hit;
    }
    return n > 0 && ap_import__usage_text(buf, (size_t)n, NULL, 0);
}

int ap_usage__fail(ap_usage_import *ui, unsigned line, unsigned col, ap_error *err,
                   const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ap_error_at(err, AP_EINPUT, ui->path, line, col, "%s", msg);
}

void ap_usage__skip(ap_usage_import *ui, const char *what, unsigned line)
{
    (void)what;
    (void)line;
    ui->rep.skipped++;
}

const ap_vocab *ap_usage__vocab(const ap_usage_import *ui)
{
    return ap_graph_vocab(ui->g);
}

bool ap_usage__known(ap_usage_import *ui, const char *id)
{
    return ap_graph_find(ui->g, id) >= 0;
}

static void lower(char *buf, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    buf[i] = '\0';
}

const char *ap_usage__app_node(ap_usage_import *ui, const char *app_id)
{
    /* app ids of events are at most 128 bytes (usage_entra.c): a node's app id that does not
     * fit whole is none of them, never cut into a match */
    char key[256];
    if (strlen(app_id) >= sizeof key)
        return NULL;
    if (ui->apps == NULL) {     /* one pass over the nodes, then a lookup per event */
        if ((ui->apps = json_object()) == NULL)
            return NULL;
        for (uint32_t v = 0; v < ap_graph_node_count(ui->g); v++) {
            const char *app = ap_graph_node_str(ui->g, v, "app_id");
            const char *type = ap_graph_node_str(ui->g, v, "type");
            bool sp = type != NULL && strcmp(type, "service_principal") == 0;
            if (app == NULL || ap_graph_node(ui->g, v)->kind != AP_KIND_IDENTITY
                || strlen(app) >= sizeof key)
                continue;
            lower(key, sizeof key, app);
            if (sp || json_object_get(ui->apps, key) == NULL)
                json_object_set_new(ui->apps, key, json_string(ap_graph_node(ui->g, v)->id));
        }
    }
    lower(key, sizeof key, app_id);
    return json_string_value(json_object_get(ui->apps, key));
}

const char *ap_usage__k8s_subject(ap_usage_import *ui, const char *kind, const char *name)
{
    char label[600];
    if (ui->subjects == NULL) {     /* one pass over the partners, then a lookup per name */
        if ((ui->subjects = json_object()) == NULL)
            return NULL;
        for (uint32_t v = 0; v < ap_graph_node_count(ui->g); v++) {
            const ap_node *nd = ap_graph_node(ui->g, v);
            const char *type = ap_graph_node_str(ui->g, v, "type");
            json_t *attrs, *list;
            if (nd->kind != AP_KIND_PARTNER || type == NULL || strcmp(type, "k8s_partner") != 0
                || (attrs = json_loads(nd->attrs, 0, NULL)) == NULL)
                continue;
            list = json_object_get(attrs, "k8s_subjects");
            for (size_t i = 0; i < json_array_size(list); i++) {
                const char *s = json_string_value(json_array_get(list, i));
                if (s != NULL && json_object_get(ui->subjects, s) == NULL)
                    json_object_set_new(ui->subjects, s, json_string(nd->id));
            }
            json_decref(attrs);
        }
    }
    snprintf(label, sizeof label, "%s %s", kind, name);
    return json_string_value(json_object_get(ui->subjects, label));
}

static bool target_known(ap_usage_import *ui, const char *target)
{
    json_t *hit = json_object_get(ui->targets, target);
    bool known = false;
    if (hit != NULL)
        return json_is_true(hit);
    if (ap_graph_find(ui->g, target) >= 0)
        known = true;
    for (size_t i = 0; !known && i < ui->nres; i++)
        known = ap_usage_covers(ap_graph_node(ui->g, ui->resources[i])->id, target);
    if (json_object_size(ui->targets) >= TARGET_CACHE_MAX)
        json_object_clear(ui->targets);
    json_object_set_new(ui->targets, target, json_boolean(known));
    return known;
}

/* name into a report's slot of size bytes, for display: whole, or cut at a character's start
 * and ending in "..." so that it says so */
static void report_name(char *slot, size_t size, const char *name)
{
    size_t n = strlen(name), k = size - 4;
    if (n < size) {
        memcpy(slot, name, n + 1);
        return;
    }
    while (k > 0 && ((unsigned char)name[k] & 0xC0) == 0x80)
        k--;                    /* not inside a UTF-8 character */
    memcpy(slot, name, k);
    memcpy(slot + k, "...", 4);
}

static void count_unknown(json_t *set, uint64_t *distinct, char names[][128], size_t width,
                          const char *name)
{
    (void)width;
    if (json_object_get(set, name) != NULL)
        return;
    if (*distinct < AP_USAGE_REPORT_NAMES)
        report_name(names[*distinct], 128, name);
    (*distinct)++;
    if (json_object_size(set) < UNKNOWN_SET_MAX)
        json_object_set_new(set, name, json_true());
}

static int store_event(ap_usage_import *ui, ap_obs_rec *r, const char *const *actors, size_t n,
                       bool counted, ap_error *err)
{
    bool seen;
    int rc;
    r->actor = NULL;
    r->actor_known = false;
    for (size_t i = 0; i < n && !r->actor_known; i++)
        if (actors[i] != NULL && actors[i][0] != '\0' && ap_graph_find(ui->g, actors[i]) >= 0) {
            r->actor = actors[i];
            r->actor_known = true;
        }
    /* unknown: named by the first candidate after the first (an access key, the first tried,
     * says least to a reader), else by the first */
    for (size_t i = 1; i <= n && r->actor == NULL; i++)
        if (actors[i % n] != NULL && actors[i % n][0] != '\0')
            r->actor = actors[i % n];
    if (r->actor == NULL)
        return ap_usage__fail(ui, r->line, 1, err, "the event names no actor");
    /* the same event twice (overlapping exports, a file imported again, a Kubernetes request
     * logged at Panic and ResponseComplete) is stored and counted once */
    if ((rc = ap_store_obs_seen(ui->st, r, &seen, err)) < 0)
        return rc;
    if (seen) {
        ui->rep.duplicates += counted;
        return AP_OK;
    }
    r->target_known = target_known(ui, r->target);
    if (!counted)
        return ap_store_obs_add(ui->st, ui->file, r, err);
    if (!r->actor_known) {
        ui->rep.unknown_actor_events++;
        count_unknown(ui->unknown_actors, &ui->rep.unknown_actors, ui->rep.actors, 128,
                      r->actor);
    }
    if (!r->target_known) {
        ui->rep.unknown_target_events++;
        if (json_object_get(ui->unknown_targets, r->target) == NULL
            && ui->rep.unknown_targets < AP_USAGE_REPORT_NAMES)
            report_name(ui->rep.targets[ui->rep.unknown_targets], sizeof ui->rep.targets[0],
                        r->target);
        if (json_object_get(ui->unknown_targets, r->target) == NULL) {
            ui->rep.unknown_targets++;
            if (json_object_size(ui->unknown_targets) < UNKNOWN_SET_MAX)
                json_object_set_new(ui->unknown_targets, r->target, json_true());
        }
    }
    ui->rep.events++;
    if (!r->ok)
        ui->rep.denied++;
    if (ui->rep.first == 0 || r->at < ui->rep.first)
        ui->rep.first = r->at;
    if (r->at > ui->rep.last)
        ui->rep.last = r->at;
    return ap_store_obs_add(ui->st, ui->file, r, err);
}

int ap_usage__event(ap_usage_import *ui, ap_obs_rec *r, const char *const *actors, size_t n,
                    ap_error *err)
{
    return store_event(ui, r, actors, n, true, err);
}

int ap_usage__event_part(ap_usage_import *ui, ap_obs_rec *r, const char *const *actors,
                         size_t n, ap_error *err)
{
    return store_event(ui, r, actors, n, false, err);
}

/* One parsed event to the reader its shape calls for. */
/* A copy of v whose object keys start in lower case: Graph PowerShell's PascalCase
 * (CreatedDateTime, Status.ErrorCode) as Graph itself writes it. NULL when memory runs out. */
static json_t *camel_copy(const json_t *v)
{
    json_t *out, *item;
    const char *key;
    size_t i;
    if (json_is_array(v)) {
        if ((out = json_array()) == NULL)
            return NULL;
        json_array_foreach(v, i, item)
            if (json_array_append_new(out, camel_copy(item)) < 0) {
                json_decref(out);
                return NULL;
            }
        return out;
    }
    if (!json_is_object(v))
        return json_copy((json_t *)v);
    if ((out = json_object()) == NULL)
        return NULL;
    json_object_foreach((json_t *)v, key, item) {
        /* the whole key, however long: cut short, two keys would be one */
        size_t len = strlen(key);
        char *k = malloc(len + 1);
        int rc;
        if (k == NULL) {
            json_decref(out);
            return NULL;
        }
        memcpy(k, key, len + 1);
        if (k[0] >= 'A' && k[0] <= 'Z')
            k[0] = (char)(k[0] - 'A' + 'a');
        rc = json_object_set_new(out, k, camel_copy(item));
        free(k);
        if (rc < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The lists of events a page or file object holds, as usage_stream.c reads them at the top */
static const char *const page_keys[] = { "Records", "Events", "items", "value" };

static int dispatch(ap_usage_import *ui, const json_t *ev, unsigned line, int depth,
                    ap_error *err)
{
    const json_t *ct = json_object_get(ev, "CloudTrailEvent");
    const json_t *msg = json_object_get(ev, "message");
    if (json_is_string(ct)) {          /* lookup-events: the record as a JSON string */
        json_error_t je;
        json_t *rec = json_loads(json_string_value(ct), 0, &je);
        int rc;
        if (rec == NULL)
            return ap_usage__fail(ui, line, 1, err, "CloudTrailEvent is not JSON: %s", je.text);
        rc = ap_usage__cloudtrail(ui, rec, line, err);
        json_decref(rec);
        return rc;
    }
    if (json_is_object(ct))             /* the string parsed already (jq's fromjson) */
        return ap_usage__cloudtrail(ui, ct, line, err);
    if (depth == 0 && json_is_string(msg) && json_object_get(ev, "ingestionTime") != NULL) {
        /* CloudWatch Logs (a trail's log group, EKS audit logs): the event as a JSON string */
        json_error_t je;
        json_t *rec = json_loads(json_string_value(msg), 0, &je);
        int rc;
        if (!json_is_object(rec)) {
            json_decref(rec);
            return ap_usage__fail(ui, line, 1, err, "a CloudWatch Logs message that is not a "
                                  "JSON event (CloudTrail records and Kubernetes audit events "
                                  "are read)");
        }
        rc = dispatch(ui, rec, line, 1, err);
        json_decref(rec);
        return rc;
    }
    if (json_object_get(ev, "eventSource") != NULL && json_object_get(ev, "eventName") != NULL)
        return ap_usage__cloudtrail(ui, ev, line, err);
    if (json_object_get(ev, "AppId") != NULL && json_object_get(ev, "appId") == NULL) {
        /* Graph PowerShell (Get-MgAuditLogSignIn, Get-MgBetaReportServicePrincipalSignIn
         * Activity): the same records with their keys in PascalCase */
        json_t *camel = camel_copy(ev);
        int rc;
        if (camel == NULL)
            return ap_error_nomem(err);
        rc = ap_usage__entra_shape(camel) ? ap_usage__entra(ui, camel, line, err)
             : ap_usage__fail(ui, line, 1, err, "not an event authpath reads (CloudTrail, "
                              "Kubernetes audit, Entra sign-ins, or native at, actor, target, "
                              "right)");
        json_decref(camel);
        return rc;
    }
    if (json_object_get(ev, "auditID") != NULL || json_object_get(ev, "verb") != NULL)
        return ap_usage__k8s(ui, ev, line, err);
    if (ap_usage__entra_shape(ev))
        return ap_usage__entra(ui, ev, line, err);
    if (json_object_get(ev, "actor") != NULL)
        return ap_usage__native(ui, ev, line, err);
    if (depth == 0) {       /* a page in a list of pages ([{"value": [...]}, ...], jq -s) */
        for (size_t c = 0; c < sizeof page_keys / sizeof page_keys[0]; c++) {
            const json_t *list = json_object_get(ev, page_keys[c]), *e;
            size_t i;
            int rc;
            if (!json_is_array(list))
                continue;
            json_array_foreach(list, i, e) {
                if (!json_is_object(e))
                    return ap_usage__fail(ui, line, 1, err, "an event must be an object");
                if ((rc = dispatch(ui, e, line, 1, err)) < 0)
                    return rc;
            }
            return AP_OK;
        }
    }
    return ap_usage__fail(ui, line, 1, err, "not an event authpath reads (CloudTrail, Kubernetes "
                          "audit, Entra sign-ins, or native at, actor, target, right)");
}

static int read_json_file(ap_usage_import *ui, char sha256[AP_SHA256_HEX], ap_error *err)
{
    ap_usage_stream s;
    int rc;
    if ((rc = ap_usage__stream_open(&s, ui->path, err)) < 0)
        return rc;
    while ((rc = ap_usage__stream_next(&s, err)) == 1) {
        json_t *ev;
        if ((rc = ap_usage__stream_json(&s, &ev, err)) < 0)
            break;
        if (!json_is_object(ev)) {
            json_decref(ev);
            rc = ap_usage__fail(ui, s.rec_line, s.rec_col, err, "an event must be an object");
            break;
        }
        rc = dispatch(ui, ev, s.rec_line, 0, err);
        json_decref(ev);
        if (rc < 0)
            break;
    }
    if (rc >= 0)
        rc = ap_usage__stream_digest(&s, sha256, err);
    ap_usage__stream_close(&s);
    return rc;
}

static int read_one(ap_usage_import *ui, const char *path, ap_error *err)
{
    char head[4096], sha256[AP_SHA256_HEX];
    ssize_t n;
    size_t i = 0;
    int fd, rc;
    ui->path = path;
    if ((rc = ap_store_obs_source(ui->st, path, &ui->file, err)) < 0)
        return rc;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    n = read(fd, head, sizeof head);
    close(fd);
    if (n <= 0)
        return ap_error_at(err, AP_EINPUT, path, 1, 1, "nothing to import: the file is empty");
    if ((rc = ap_import__not_compressed(head, (size_t)n, path, err)) < 0)
        return rc;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < (size_t)n && strchr(" \t\r\n", head[i]) != NULL)
        i++;
    if ((i < (size_t)n && (head[i] == '{' || head[i] == '['))
        || (n >= 2 && (((unsigned char)head[0] == 0xFF && (unsigned char)head[1] == 0xFE)
                       || ((unsigned char)head[0] == 0xFE && (unsigned char)head[1] == 0xFF))))
        rc = read_json_file(ui, sha256, err);   /* UTF-16: JSON from Graph PowerShell */
    else if (ap_import__syntax(head + i, (size_t)n - i) == AP_SYNTAX_YAML)
        return ap_error_at(err, AP_EINPUT, path, 1, 1, "YAML is not read as observed use (events "
                           "are JSON, JSON Lines or CSV; a detection test's events under "
                           "Tests[].Log can be written out as JSON Lines)");
    else
        rc = ap_usage__native_csv(ui, path, sha256, err);
    return rc < 0 ? rc : ap_store_source_hash(ui->st, ui->file, sha256, err);
}

static void ui_free(ap_usage_import *ui)
{
    ap_graph_free(ui->g);
    free(ui->resources);
    json_decref(ui->targets);
    json_decref(ui->unknown_actors);
    json_decref(ui->unknown_targets);
    json_decref(ui->apps);
    json_decref(ui->subjects);
}

int ap_import__usage(ap_store *st, const char *const *paths, size_t n,
                     const ap_import_opts *opts, int64_t *snap, ap_error *err)
{
    ap_usage_import ui;
    int64_t target = opts->usage_snap;
    int rc;
    memset(&ui, 0, sizeof ui);
    ui.st = st;
    if (target == 0 && (rc = ap_store_latest(st, &target, err)) < 0)
        return rc;
    if (target == 0)
        return ap_error_at(err, AP_EINPUT, paths[0], 1, 1, "observed use needs an inventory to "
                           "be compared with: import the estate first, then its events");
    if ((rc = ap_graph_load(&ui.g, st, target, 0, err)) < 0)
        return rc;
    ui.targets = json_object();
    ui.unknown_actors = json_object();
    ui.unknown_targets = json_object();
    if ((ui.resources = malloc((ap_graph_node_count(ui.g) + 1) * sizeof *ui.resources)) == NULL
        || ui.targets == NULL || ui.unknown_actors == NULL || ui.unknown_targets == NULL) {
        ui_free(&ui);
        return ap_error_nomem(err);
    }
    for (uint32_t v = 0; v < ap_graph_node_count(ui.g); v++) {
        ap_kind k = ap_graph_node(ui.g, v)->kind;
        if (k == AP_KIND_RESOURCE || k == AP_KIND_WORKFLOW)
            ui.resources[ui.nres++] = v;
    }
    if ((rc = ap_store_obs_begin(st, target, err)) < 0) {
        ui_free(&ui);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && opts->format == AP_FORMAT_AUTO && !ap_import__usage_file(paths[i])) {
            rc = ap_error_at(err, AP_EINPUT, paths[i], 1, 1, "not observed use, in an import of "
                             "observed use: import inventories and events separately");
            break;
        }
        if ((rc = read_one(&ui, paths[i], err)) < 0)
            break;
    }
    if (rc >= 0 && ui.rep.events == 0 && ui.rep.duplicates == 0)
        rc = ap_error_at(err, AP_EINPUT, paths[n - 1], 1, 1, "nothing to import: the %s no "
                         "event%s", n == 1 ? "file holds" : "files hold", ui.rep.skipped > 0
                         ? " but Kubernetes audit events at an earlier stage (each request "
                         "counts once, at ResponseComplete)" : "");
    if (rc < 0) {
        ap_store_obs_rollback(st);
        ui_free(&ui);
        return rc;
    }
    if ((rc = ap_store_obs_commit(st, err)) == AP_OK) {
        *snap = target;
        if (opts->usage != NULL)
            *opts->usage = ui.rep;
    }
    ui_free(&ui);
    return rc;
}
