/* import/detect_peek.c: peeks at a document's text for detection: its syntax, the keys of its top
 * object and of its first element (JSON by walking the text, YAML line by line), unparsed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect_internal.h"

/* ---- syntax ---- */

/* JSON starts with { or [. CSV's first line is a header: names joined by commas (a nodes or
 * edges file), or one bare word (a rights file); a YAML line names a key with ": " or a final
 * ':', or starts with one of - # % ? ! & *. Anything else is YAML. */
ap_syntax ap_import__syntax(const char *text, size_t len)
{
    size_t i = 0, eol, k;
    const char *line, *nl;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i < len && (text[i] == '{' || text[i] == '['))
        return AP_SYNTAX_JSON;
    while (i > 0 && text[i - 1] != '\n')       /* the first line that is not blank */
        i--;
    line = text + i;
    nl = memchr(line, '\n', len - i);
    eol = nl != NULL ? (size_t)(nl - line) : len - i;
    if (eol > 0 && line[eol - 1] == '\r')
        eol--;
    if (eol == 0 || strchr("-#%?!&*", line[0]) != NULL)
        return AP_SYNTAX_YAML;
    for (k = 0; k < eol; k++)
        if (line[k] == ':' && (k + 1 == eol || line[k + 1] == ' ' || line[k + 1] == '\t'))
            return AP_SYNTAX_YAML;
    if (memchr(line, ',', eol) != NULL)
        return AP_SYNTAX_CSV;
    for (k = 0; k < eol; k++)
        if (line[k] == ' ' || line[k] == '\t' || line[k] == ':')
            return AP_SYNTAX_YAML;
    return AP_SYNTAX_CSV;       /* a one-column CSV such as the rights file */
}

/* ---- peeking into JSON: keys and values by walking the text (json_walk.c), unparsed ---- */

static void json_keys(const ap_json_text *t, size_t i, peek_obj *o)
{
    o->n = 0;
    i = ap_json__skip_ws(t, i);
    if (i >= t->len || t->s[i] != '{')
        return;
    for (i = ap_json__skip_ws(t, i + 1); i < t->len && t->s[i] == '"' && o->n < PEEK_MAX_KEYS;) {
        size_t end = ap_json__skip_value(t, i), v;
        if (end < i + 2 || end > t->len)
            return;
        v = ap_json__skip_ws(t, end);
        if (v >= t->len || t->s[v] != ':')
            return;
        v = ap_json__skip_ws(t, v + 1);
        o->k[o->n++] = (peek_key){ t->s + i + 1, end - i - 2, v };
        i = ap_json__skip_ws(t, ap_json__skip_value(t, v));
        if (i < t->len && t->s[i] == ',')
            i = ap_json__skip_ws(t, i + 1);
    }
}

/* ---- peeking into YAML: the first document's top-level keys, one per line at column 0 ---- */

size_t ap_peek__line_end(const char *s, size_t len, size_t i)
{
    const char *nl = memchr(s + i, '\n', len - i);
    return nl != NULL ? (size_t)(nl - s) : len;
}

/* A "key: value" line at indent ind: adds the key. Returns 0 when the line is not one. */
static int yaml_key_line(const char *s, size_t i, size_t eol, size_t ind, peek_obj *o)
{
    size_t k = i + ind, end;
    char q = 0;
    if (k >= eol || s[k] == ' ' || s[k] == '#' || s[k] == '-')
        return 0;
    if (s[k] == '"' || s[k] == '\'')
        q = s[k++];
    for (end = k; end < eol; end++)
        if (q ? s[end] == q : (s[end] == ':' && (end + 1 == eol || s[end + 1] == ' '
                                                 || s[end + 1] == '\r')))
            break;
    if (end >= eol)
        return 0;
    if (o->n < PEEK_MAX_KEYS) {
        size_t v = end + (q ? 2 : 1);
        while (v < eol && s[v] == ' ')
            v++;
        o->k[o->n++] = (peek_key){ s + k, end - k, v };
    }
    return 1;
}

static void yaml_peek(peek *p)
{
    const char *s = p->text;
    size_t i = 0, len = p->len, eol;
    int started = 0;
    for (; i < len; i = eol + 1) {
        size_t k = i;
        eol = ap_peek__line_end(s, len, i);
        while (k < eol && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k == eol || s[i] == '#' || s[i] == '%')
            continue;                   /* blank, a comment, a directive */
        if (eol - i >= 3 && memcmp(s + i, "---", 3) == 0) {
            if (started)
                return;             /* the first document ends */
            continue;
        }
        if (!started) {
            started = 1;
            p->first = i;
            if (s[i] == '-' && (i + 1 == eol || s[i + 1] == ' ')) {
                p->top = '[';
                p->have_elem = yaml_key_line(s, i, eol, 2, &p->elem);
                for (i = eol + 1; i < len && p->have_elem; i = eol + 1) {
                    eol = ap_peek__line_end(s, len, i);
                    if (eol - i < 2 || s[i] != ' ' || s[i + 1] != ' ')
                        break;      /* the first item ends */
                    yaml_key_line(s, i, eol, 2, &p->elem);
                }
                return;
            }
        }
        if (s[i] == ' ' || s[i] == '\t')
            continue;
        if (yaml_key_line(s, i, eol, 0, &p->obj))
            p->top = '{';
    }
}

/* ---- what the shapes ask ---- */

const peek_key *ap_peek__find(const peek_obj *o, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < o->n; i++)
        if (o->k[i].klen == n && memcmp(o->k[i].key, key, n) == 0)
            return &o->k[i];
    return NULL;
}

int ap_peek__has(const peek_obj *o, const char *key)
{
    return ap_peek__find(o, key) != NULL;
}

/* The string value of key, as written (escapes left as they are), cut to fit. 0 when there is
 * none or it is not a plain string. */
int ap_peek__str(const peek *p, const peek_obj *o, const char *key, char *buf, size_t size)
{
    const peek_key *k = ap_peek__find(o, key);
    size_t i, n = 0;
    char q = 0;
    buf[0] = '\0';
    if (k == NULL || k->at >= p->len)
        return 0;
    i = k->at;
    if (p->text[i] == '"' || p->text[i] == '\'')
        q = p->text[i++];
    else if (p->sx == AP_SYNTAX_JSON)
        return 0;
    for (; i < p->len && n + 1 < size; i++) {
        char c = p->text[i];
        if (q ? c == q : (c == '\n' || c == '\r' || c == ' ' || c == '#'))
            break;
        if (q == '"' && c == '\\' && i + 1 < p->len)
            c = p->text[++i];
        buf[n++] = (unsigned char)c < 0x20 ? '?' : c;
    }
    buf[n] = '\0';
    return n > 0;
}

/* Does the value of key start with prefix? */
int ap_peek__starts(const peek *p, const peek_obj *o, const char *key, const char *prefix)
{
    char buf[128];
    return ap_peek__str(p, o, key, buf, sizeof buf) && strncmp(buf, prefix, strlen(prefix)) == 0;
}

/* Does text[0, n) hold needle, in any case? */
int ap_peek__contains_ci(const char *text, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(text + i, needle, m) == 0)
            return 1;
    return 0;
}

/* Does any string value of the object mention needle (case-insensitive)? */
int ap_peek__mentions(const peek *p, const peek_obj *o, const char *needle)
{
    char buf[256];
    for (size_t i = 0; i < o->n; i++) {
        char key[64];
        size_t n = o->k[i].klen < sizeof key - 1 ? o->k[i].klen : sizeof key - 1;
        memcpy(key, o->k[i].key, n);
        key[n] = '\0';
        if (ap_peek__str(p, o, key, buf, sizeof buf) && ap_peek__contains_ci(buf, strlen(buf), needle))
            return 1;
    }
    return 0;
}

/* JSON only: the keys of the first element of the list that key holds (in p->elem). */
int ap_peek__elem_of(peek *p, const char *key)
{
    ap_json_text t = { p->text, p->len, NULL, 0 };
    const peek_key *k = ap_peek__find(&p->obj, key);
    size_t first;
    p->have_elem = 0;
    p->elem.n = 0;
    if (p->sx != AP_SYNTAX_JSON || k == NULL || k->at >= p->len || p->text[k->at] != '[')
        return 0;
    first = ap_json__find_index(&t, k->at, 0);
    if (first == SIZE_MAX || p->text[first] != '{')
        return 0;
    json_keys(&t, first, &p->elem);
    return p->have_elem = 1;
}

/* The value of key is an empty list. */
int ap_peek__empty_list(const peek *p, const peek_obj *o, const char *key)
{
    const peek_key *k = ap_peek__find(o, key);
    ap_json_text t = { p->text, p->len, NULL, 0 };
    return k != NULL && k->at < p->len && p->text[k->at] == '['
        && ap_json__find_index(&t, k->at, 0) == SIZE_MAX;
}

void ap_peek__init(peek *p, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->len = len;
    p->sx = ap_import__syntax(text, len);
    if (p->sx == AP_SYNTAX_JSON) {
        ap_json_text t = { text, len, NULL, 0 };
        size_t top = ap_json__skip_ws(&t, 0), first;
        p->first = top;
        p->top = text[top];
        if (p->top == '{') {
            json_keys(&t, top, &p->obj);
        } else if ((first = ap_json__find_index(&t, top, 0)) != SIZE_MAX
                   && text[first] == '{') {
            json_keys(&t, first, &p->elem);
            p->have_elem = 1;
        }
    } else if (p->sx == AP_SYNTAX_YAML) {
        yaml_peek(p);
    }
}
