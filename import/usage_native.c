/* import/usage_native.c: the native event form, for every source without a reader: one event
 * per JSON object or CSV row with at, actor, target, right (a name or a list) and optional via, ok. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "usage_internal.h"

/* "read" or "read write" or "read,write" -> bits; false naming the first unknown right */
static bool rights_of(const ap_vocab *v, const char *s, ap_rights *out, char *bad, size_t size)
{
    char word[64];
    *out = 0;
    while (*s != '\0') {
        size_t n = strcspn(s, " ,;|");
        int bit;
        if (n > 0) {
            /* the whole name, however long: cut, it could name a shorter right */
            char *w = n < sizeof word ? word : malloc(n + 1);
            if (w == NULL) {
                snprintf(bad, size, "(out of memory)");
                return false;
            }
            snprintf(w, n + 1, "%.*s", (int)n, s);
            bit = ap_vocab_find(v, w);
            if (bit < 0) {
                if (n < size)
                    snprintf(bad, size, "%s", w);
                else            /* for the message only: says it is cut */
                    snprintf(bad, size, "%.*s...", (int)(size - 4), w);
            }
            if (w != word)
                free(w);
            if (bit < 0)
                return false;
            *out |= (ap_rights)1 << bit;
        }
        s += n;
        if (*s != '\0')
            s++;
    }
    snprintf(bad, size, "(none)");
    return *out != 0;
}

typedef struct {
    const char *at, *actor, *target, *right, *via, *ok, *id;
} fields;

static int one(ap_usage_import *ui, const fields *f, unsigned line, ap_error *err)
{
    ap_obs_rec r;
    char bad[64];
    const char *actors[1] = { f->actor };
    memset(&r, 0, sizeof r);
    r.line = line;
    if (f->at == NULL || f->actor == NULL || f->target == NULL || f->right == NULL)
        return ap_usage__fail(ui, line, 1, err, "an event needs at, actor, target and right "
                              "(missing %s)", f->at == NULL ? "at" : f->actor == NULL ? "actor"
                              : f->target == NULL ? "target" : "right");
    if (!ap_time_parse(f->at, &r.at))
        return ap_usage__fail(ui, line, 1, err, "at is not an RFC 3339 time or a date");
    if (!rights_of(ap_usage__vocab(ui), f->right, &r.rights, bad, sizeof bad))
        return ap_usage__fail(ui, line, 1, err, "unknown right '%s' (the snapshot's rights "
                              "vocabulary names it not)", bad);
    r.target = f->target;
    r.action = f->right;
    r.via = f->via != NULL && f->via[0] != '\0' ? f->via : NULL;
    r.event_id = f->id != NULL && f->id[0] != '\0' ? f->id : NULL;
    r.ok = f->ok == NULL || f->ok[0] == '\0' || strcmp(f->ok, "true") == 0
           || strcmp(f->ok, "1") == 0 || strcmp(f->ok, "yes") == 0;
    if (f->ok != NULL && !r.ok && strcmp(f->ok, "false") != 0 && strcmp(f->ok, "0") != 0
        && strcmp(f->ok, "no") != 0)
        return ap_usage__fail(ui, line, 1, err, "ok must be true or false");
    return ap_usage__event(ui, &r, actors, 1, err);
}

int ap_usage__native(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    fields f;
    const json_t *right = json_object_get(ev, "right"), *ok = json_object_get(ev, "ok");
    char *rights = NULL;
    const char *key;
    json_t *v;
    int rc;
    json_object_foreach((json_t *)ev, key, v) {
        static const char *const known[] = { "at", "actor", "target", "right", "via", "ok",
                                             "id" };
        size_t i;
        for (i = 0; i < sizeof known / sizeof known[0] && strcmp(known[i], key) != 0; i++)
            ;
        if (i == sizeof known / sizeof known[0])
            return ap_usage__fail(ui, line, 1, err, "unknown key in an event (expected at, "
                                  "actor, target, right, via, ok, id)");
        if (strcmp(key, "ok") != 0 && strcmp(key, "right") != 0 && !json_is_string(v))
            return ap_usage__fail(ui, line, 1, err, "%s must be a string", key);
        if (strcmp(key, "right") == 0 && !json_is_string(v) && !json_is_array(v))
            return ap_usage__fail(ui, line, 1, err, "right must be a name or a list of names");
    }
    memset(&f, 0, sizeof f);
    f.at = json_string_value(json_object_get(ev, "at"));
    f.actor = json_string_value(json_object_get(ev, "actor"));
    f.target = json_string_value(json_object_get(ev, "target"));
    f.via = json_string_value(json_object_get(ev, "via"));
    f.id = json_string_value(json_object_get(ev, "id"));
    if (ok != NULL && !json_is_boolean(ok))
        return ap_usage__fail(ui, line, 1, err, "ok must be true or false");
    if (ok != NULL)
        f.ok = json_is_true(ok) ? "true" : "false";
    if (json_is_array(right)) {     /* the names one after another, whole however many */
        size_t i, n = 0, size = 1;
        json_t *x;
        json_array_foreach(right, i, x)
            size += json_string_length(x) + 1;
        if ((rights = malloc(size)) == NULL)
            return ap_error_nomem(err);
        rights[0] = '\0';
        json_array_foreach(right, i, x)
            if (json_is_string(x))
                n += (size_t)snprintf(rights + n, size - n, "%s%s", n > 0 ? " " : "",
                                      json_string_value(x));
        f.right = n > 0 ? rights : NULL;
    } else {
        f.right = json_string_value(right);
    }
    rc = one(ui, &f, line, err);
    free(rights);
    return rc;
}

/* ---- CSV: streamed through libcsv, one row at a time ---- */

#define NCOLS 7
typedef struct {
    ap_usage_import *ui;
    ap_error *err;
    int rc;
    unsigned row;               /* 1-based; the header is row 1 */
    int col_of[NCOLS];          /* at actor target right via ok id -> column, -1 when absent */
    char *cell[16];
    size_t ncell;
} csv_state;

static const char *const colnames[NCOLS] = { "at", "actor", "target", "right", "via", "ok",
                                             "id" };

static void on_field(void *s, size_t len, void *data)
{
    csv_state *c = data;
    if (c->ncell < 16)
        c->cell[c->ncell] = strndup(s, len);
    c->ncell++;
}

static void on_row(int term, void *data)
{
    csv_state *c = data;
    (void)term;
    c->row++;
    if (c->rc >= 0 && c->row == 1) {
        for (size_t i = 0; i < c->ncell && i < 16; i++) {  /* names padded: "at, actor" */
            char *x = c->cell[i];
            size_t n = x != NULL ? strlen(x) : 0, lead = 0;
            while (n > 0 && (x[n - 1] == ' ' || x[n - 1] == '\t'))
                x[--n] = '\0';
            while (lead < n && (x[lead] == ' ' || x[lead] == '\t'))
                lead++;
            if (lead > 0)
                memmove(x, x + lead, n - lead + 1);
        }
        for (int k = 0; k < NCOLS; k++) {
            c->col_of[k] = -1;
            for (size_t i = 0; i < c->ncell && i < 16; i++)
                if (c->cell[i] != NULL && strcmp(c->cell[i], colnames[k]) == 0)
                    c->col_of[k] = (int)i;
        }
        if (c->col_of[0] < 0 || c->col_of[1] < 0 || c->col_of[2] < 0 || c->col_of[3] < 0)
            c->rc = ap_usage__fail(c->ui, 1, 1, c->err, "the header must name at, actor, target "
                                   "and right");
    } else if (c->rc >= 0 && !(c->ncell == 1 && c->cell[0] != NULL && c->cell[0][0] == '\0')) {
        const char *v[NCOLS];
        fields f;
        for (int k = 0; k < NCOLS; k++)
            v[k] = c->col_of[k] >= 0 && (size_t)c->col_of[k] < c->ncell
                   && c->col_of[k] < 16 ? c->cell[c->col_of[k]] : NULL;
        for (int k = 0; k < NCOLS && c->rc >= 0; k++) {
            /* text, as JSON carries it: bytes that are not UTF-8 would be stored as a name
             * that no JSON output can write (a finding's target, its message, left out) */
            json_t *t = v[k] != NULL ? json_string(v[k]) : NULL, *raw = NULL;
            if (v[k] != NULL && t == NULL)
                c->rc = (raw = json_string_nocheck(v[k])) == NULL ? ap_error_nomem(c->err)
                        : ap_usage__fail(c->ui, c->row, 1, c->err, "'%s' is not valid UTF-8 "
                                         "text", colnames[k]);
            json_decref(t);
            json_decref(raw);
        }
        if (c->rc < 0)
            goto done;
        f.at = v[0];
        f.actor = v[1];
        f.target = v[2];
        f.right = v[3];
        f.via = v[4];
        f.ok = v[5];
        f.id = v[6];
        c->rc = one(c->ui, &f, c->row, c->err);
    }
done:
    for (size_t i = 0; i < c->ncell && i < 16; i++)
        free(c->cell[i]);
    c->ncell = 0;
}

/* Spaces are part of a field (RFC 4180), as in the inventory's CSV: an actor 'svc ' is that
 * node, not 'svc'. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int ap_usage__native_csv(ap_usage_import *ui, const char *path, char sha256[AP_SHA256_HEX],
                         ap_error *err)
{
    struct csv_parser p;
    csv_state c;
    char buf[65536];
    size_t n;
    ap_digest d;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    memset(&c, 0, sizeof c);
    c.ui = ui;
    c.err = err;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(f);
        return ap_error_nomem(err);
    }
    csv_set_blk_size(&p, AP_CSV_BLOCK);
    csv_set_space_func(&p, no_space);
    ap_import__digest_init(&d);
    while (c.rc >= 0 && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        ap_import__digest_add(&d, buf, n);
        if (csv_parse(&p, buf, n, on_field, on_row, &c) != n && c.rc >= 0)
            c.rc = ap_usage__fail(ui, c.row + 1, 1, err, "CSV: %s",
                                  csv_strerror(csv_error(&p)));
    }
    if (c.rc >= 0 && ferror(f))
        c.rc = ap_error_at(err, AP_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    if (c.rc >= 0)
        csv_fini(&p, on_field, on_row, &c);
    ap_import__digest_hex(&d, sha256);
    for (size_t i = 0; i < c.ncell && i < 16; i++)
        free(c.cell[i]);
    csv_free(&p);
    fclose(f);
    return c.rc;
}
