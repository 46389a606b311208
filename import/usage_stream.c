/* import/usage_stream.c: runtime events one at a time from a file of any size. JSON Lines, a
 * list of events, or an object holding them (Records, Events, items), read record by record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage_internal.h"

/* Containers whose list holds the events: CloudTrail files, lookup-events output, an EventList,
 * a Microsoft Graph page, CloudWatch Logs (aws logs filter-log-events, get-log-events) */
static const char *const containers[] = { "Records", "Events", "items", "value", "events" };

enum { AT_TOP, IN_LIST, AFTER_LIST };

#define IN_SIZE 65536

/* UTF-16 with a byte order mark (Graph PowerShell's Out-File): the whole file is read and
 * decoded at once, its digest taken over the bytes as stored; the stream then reads the text
 * from memory (s->f NULL). Such files are exports of a few pages, not logs of any size. */
static int open_utf16(ap_usage_stream *s, ap_error *err)
{
    size_t cap = IN_SIZE, len = 0, n;
    unsigned char *raw = s->in, *p;
    const char *text;
    char *owned = NULL;
    int rc;
    while ((n = fread(raw + len, 1, cap - len, s->f)) > 0) {
        len += n;
        if (len == cap) {
            if ((p = realloc(raw, cap * 2)) == NULL) {
                s->in = raw;
                return ap_error_nomem(err);
            }
            raw = p;
            cap *= 2;
        }
    }
    s->in = raw;
    if (ferror(s->f))
        return ap_error_at(err, AP_EIO, s->path, 0, 0, "cannot read: %s", strerror(errno));
    ap_import__digest_add(&s->digest, raw, len);
    text = (const char *)raw;
    n = len;
    if ((rc = ap_import__decode(&owned, &text, &n, s->path, err)) < 0)
        return rc;
    free(s->in);
    s->in = (unsigned char *)owned;
    s->pos = 0;
    s->end = n;
    fclose(s->f);
    s->f = NULL;
    return AP_OK;
}

int ap_usage__stream_open(ap_usage_stream *s, const char *path, ap_error *err)
{
    unsigned char bom[2];
    size_t n;
    int rc = AP_OK;
    memset(s, 0, sizeof *s);
    s->path = path;
    s->line = 1;
    ap_import__digest_init(&s->digest);
    if ((s->f = fopen(path, "rb")) == NULL)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    if ((s->in = malloc(IN_SIZE)) == NULL) {
        fclose(s->f);
        s->f = NULL;
        return ap_error_nomem(err);
    }
    s->state = AT_TOP;
    n = fread(bom, 1, 2, s->f);
    if (fseek(s->f, 0, SEEK_SET) != 0)
        rc = ap_error_at(err, AP_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    else if (n == 2 && ((bom[0] == 0xFF && bom[1] == 0xFE)
                        || (bom[0] == 0xFE && bom[1] == 0xFF)))
        rc = open_utf16(s, err);
    if (rc < 0)
        ap_usage__stream_close(s);      /* the caller has nothing to close on failure */
    return rc;
}

void ap_usage__stream_close(ap_usage_stream *s)
{
    if (s->f != NULL)
        fclose(s->f);
    free(s->buf);
    free(s->in);
    memset(s, 0, sizeof *s);
}

/* The next block of the file, into the digest too; false at its end (or a read error, which
 * ap_usage__stream_digest reports). */
static bool refill(ap_usage_stream *s)
{
    if (s->f == NULL)           /* decoded in memory: all of it is in s->in already */
        return false;
    s->pos = 0;
    s->end = fread(s->in, 1, IN_SIZE, s->f);
    ap_import__digest_add(&s->digest, s->in, s->end);
    return s->end > 0;
}

static inline int next_byte(ap_usage_stream *s)
{
    if (s->pos == s->end && !refill(s))
        return EOF;
    return s->in[s->pos++];
}

int ap_usage__stream_digest(ap_usage_stream *s, char hex[AP_SHA256_HEX], ap_error *err)
{
    while (refill(s))
        continue;
    if (s->f != NULL && ferror(s->f))
        return ap_error_at(err, AP_EIO, s->path, 0, 0, "cannot read: %s", strerror(errno));
    ap_import__digest_hex(&s->digest, hex);
    return AP_OK;
}

static int get(ap_usage_stream *s)
{
    int c = next_byte(s);
    if (c == '\n') {
        s->line++;
        s->col = 0;
    } else if (c != EOF) {
        s->col++;
    }
    return c;
}

static int peekc(ap_usage_stream *s)
{
    if (s->pos == s->end && !refill(s))
        return EOF;
    return s->in[s->pos];
}

/* The next character that is not blank (a UTF-8 byte order mark counts as blank). */
static int skip_ws(ap_usage_stream *s)
{
    for (;;) {
        int c = peekc(s);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            get(s);
        } else if (c == 0xEF) {
            get(s);
            if (get(s) != 0xBB || get(s) != 0xBF)
                return 0xEF;
        } else {
            return c;
        }
    }
}

static int grow(ap_usage_stream *s, ap_error *err)
{
    size_t cap = s->cap ? s->cap * 2 : 4096;
    char *p;
    if (cap > AP_USAGE_MAX_EVENT)
        return ap_error_at(err, AP_EINPUT, s->path, s->rec_line, s->rec_col, "an event "
                           "larger than %d MiB", AP_USAGE_MAX_EVENT >> 20);
    if ((p = realloc(s->buf, cap)) == NULL)
        return ap_error_nomem(err);
    s->buf = p;
    s->cap = cap;
    return AP_OK;
}

/* One character more of the current event (the text is NUL-terminated by element()). */
static inline int put(ap_usage_stream *s, int c, ap_error *err)
{
    int rc;
    if (s->len + 2 > s->cap && (rc = grow(s, err)) < 0)
        return rc;
    s->buf[s->len++] = (char)c;
    return AP_OK;
}

static int eof_error(ap_usage_stream *s, ap_error *err)
{
    return ap_error_at(err, AP_EINPUT, s->path, s->line, s->col + 1, "the file ends inside "
                       "an event");
}

/* A string whose opening quote was just read, copied when keep (with its quotes). */
static int string(ap_usage_stream *s, bool keep, ap_error *err)
{
    int c, rc;
    for (;;) {
        /* the common run: characters that are neither quote, escape nor line end */
        while ((c = next_byte(s)) != EOF && c != '"' && c != '\\' && c != '\n') {
            s->col++;
            if (keep && (rc = put(s, c, err)) < 0)
                return rc;
        }
        if (c == EOF)
            return eof_error(s, err);
        if (c == '\n') {
            s->line++;
            s->col = 0;
        } else {
            s->col++;
        }
        if (c == '"')
            break;
        if (keep && (rc = put(s, c, err)) < 0)
            return rc;
        if (c == '\\') {
            if ((c = get(s)) == EOF)
                return eof_error(s, err);
            if (keep && (rc = put(s, c, err)) < 0)
                return rc;
        }
    }
    return keep ? put(s, '"', err) : AP_OK;
}

/* One whole value whose first character is next, copied when keep. The JSON parser checks
 * it afterwards; here only strings and nesting are followed. */
static int value(ap_usage_stream *s, bool keep, ap_error *err)
{
    int depth = 0, c, rc;
    do {
        if ((c = get(s)) == EOF)
            return eof_error(s, err);
        if (keep && (rc = put(s, c, err)) < 0)
            return rc;
        if (c == '"') {
            if ((rc = string(s, keep, err)) < 0)
                return rc;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (depth == 0) {
            /* a scalar: up to the next delimiter */
            while ((c = peekc(s)) != EOF && strchr(",]} \t\r\n", c) == NULL) {
                get(s);
                if (keep && (rc = put(s, c, err)) < 0)
                    return rc;
            }
        }
    } while (depth > 0);
    return AP_OK;
}

static int expect(ap_usage_stream *s, int want, const char *what, ap_error *err)
{
    int c = skip_ws(s);
    if (c != want)
        return ap_error_at(err, AP_EINPUT, s->path, s->line, s->col + 1, "expected %s", what);
    get(s);
    return AP_OK;
}

/* The start of a list element: its place, and the element itself. */
static int element(ap_usage_stream *s, ap_error *err)
{
    int rc;
    s->len = 0;
    s->rec_line = s->line;
    s->rec_col = s->col + 1;
    if ((rc = value(s, true, err)) < 0 || (rc = put(s, '\0', err)) < 0)
        return rc;
    s->len--;
    return AP_OK;
}

/* After a list's '[' or an element: 1 and the next element, or 0 at the list's end. */
static int list_next(ap_usage_stream *s, ap_error *err)
{
    int c = skip_ws(s), rc;
    if (s->in_list_started) {
        if (c == ']') {
            get(s);
            return 0;
        }
        if ((rc = expect(s, ',', "',' or ']' between events", err)) < 0)
            return rc;
        c = skip_ws(s);
    } else if (c == ']') {
        get(s);
        return 0;
    }
    s->in_list_started = true;
    if (c == EOF)
        return eof_error(s, err);
    if ((rc = element(s, err)) < 0)
        return rc;
    return 1;
}

/* The members of an object whose '{' was read, up to a container key: 1 when its list is
 * open, 0 at the object's end; members on the way are copied when keep. */
static int members(ap_usage_stream *s, bool keep, bool first, ap_error *err)
{
    int c, rc;
    for (;;) {
        char key[16];
        size_t klen;
        c = skip_ws(s);
        if (c == '}') {
            get(s);
            return keep ? put(s, '}', err) : 0;
        }
        if (!first) {
            if ((rc = expect(s, ',', "',' or '}'", err)) < 0)
                return rc;
            if (keep && (rc = put(s, ',', err)) < 0)
                return rc;
            c = skip_ws(s);
        }
        first = false;
        if (c != '"')
            return ap_error_at(err, AP_EINPUT, s->path, s->line, s->col + 1, "expected a "
                               "key in quotes");
        get(s);
        {
            size_t mark = s->len;
            if ((rc = put(s, '"', err)) < 0 || (rc = string(s, true, err)) < 0)
                return rc;
            klen = s->len - mark - 2;
            snprintf(key, sizeof key, "%.*s", (int)(klen < 15 ? klen : 15), s->buf + mark + 1);
            if (!keep)
                s->len = mark;
        }
        if ((rc = expect(s, ':', "':' after a key", err)) < 0)
            return rc;
        if (keep && (rc = put(s, ':', err)) < 0)
            return rc;
        c = skip_ws(s);
        if (c == '[' && s->depth0) {
            for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
                if (klen == strlen(containers[i]) && memcmp(key, containers[i], klen) == 0) {
                    get(s);
                    return 1;
                }
        }
        if ((rc = value(s, keep, err)) < 0)
            return rc;
    }
}

int ap_usage__stream_next(ap_usage_stream *s, ap_error *err)
{
    int c, rc;
    for (;;) {
        switch (s->state) {
        case IN_LIST:
            if ((rc = list_next(s, err)) != 0)
                return rc;
            s->in_list_started = false;
            if (s->top_list) {
                s->top_list = false;
                s->state = AT_TOP;
                break;
            }
            s->state = AFTER_LIST;
            break;
        case AFTER_LIST:        /* the rest of a container: its other keys are not events */
            s->len = 0;
            s->depth0 = true;
            if ((rc = members(s, false, false, err)) < 0)
                return rc;
            s->in_list_started = false;
            s->state = rc == 1 ? IN_LIST : AT_TOP;
            break;
        default:
            c = skip_ws(s);
            if (c == EOF)
                return 0;
            s->rec_line = s->line;
            s->rec_col = s->col + 1;
            if (c == '[') {
                get(s);
                s->state = IN_LIST;
                s->top_list = true;
                s->in_list_started = false;
                break;
            }
            if (c != '{')
                return ap_error_at(err, AP_EINPUT, s->path, s->line, s->col + 1, "expected "
                                   "an event (a JSON object), a list of them or an object "
                                   "holding them");
            get(s);
            s->len = 0;
            s->depth0 = true;
            if ((rc = put(s, '{', err)) < 0)
                return rc;
            if ((rc = members(s, true, true, err)) < 0)
                return rc;
            if (rc == 1) {      /* a container: what was copied is not an event */
                s->state = IN_LIST;
                s->in_list_started = false;
                break;
            }
            return 1;           /* one event per top-level object: JSON Lines, or one event */
        }
    }
}

int ap_usage__stream_json(ap_usage_stream *s, json_t **out, ap_error *err)
{
    json_error_t je;
    if ((*out = json_loadb(s->buf, s->len, 0, &je)) == NULL) {
        unsigned line = s->rec_line + (je.line > 1 ? (unsigned)je.line - 1 : 0);
        unsigned col = je.line > 1 ? (unsigned)je.column : s->rec_col + (unsigned)je.column - 1;
        return ap_error_at(err, AP_EINPUT, s->path, line, col, "invalid JSON: %s", je.text);
    }
    return AP_OK;
}
