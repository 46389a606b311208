/* query/render/dot_text.c: the text side of diagrams: object ids in creation order (a cgraph id
 * discipline, so DOT and layouts are the same on every run) and labels escaped for DOT and for
 * Graphviz's HTML-like labels. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"
#include "dot_internal.h"

/* ---- Object ids: creation order, not addresses ---- */

/* cgraph keeps subgraphs ordered by id, and its default ids are the addresses of interned
 * names, so the order (and with it agwrite's output and the layout) could change from run to
 * run. This discipline numbers named objects 2, 4, 6... and anonymous ones 1, 3, 5... in
 * creation order, per graph. */
typedef struct {
    Agraph_t *g;
    char **names;           /* interned in g; name k has id 2 * (k + 1) */
    size_t n, cap;
    IDTYPE anon;            /* the next odd id */
} id_state;

static void *id_open(Agraph_t *g, Agdisc_t *disc)
{
    id_state *st = calloc(1, sizeof *st);
    (void)disc;
    if (st != NULL) {
        st->g = g;
        st->anon = 1;
    }
    return st;
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int create)
{
    id_state *st = state;
    (void)objtype;
    if (str == NULL) {
        *id = st->anon;
        st->anon += 2;
        return 1;
    }
    for (size_t k = 0; k < st->n; k++)
        if (strcmp(st->names[k], str) == 0) {
            *id = 2 * (IDTYPE)(k + 1);
            return 1;
        }
    if (!create)
        return 0;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        char **p = realloc(st->names, cap * sizeof *p);
        if (p == NULL)
            return 0;
        st->names = p;
        st->cap = cap;
    }
    if ((st->names[st->n] = agstrdup(st->g, str)) == NULL)
        return 0;
    *id = 2 * (IDTYPE)(++st->n);
    return 1;
}

static long id_alloc(void *state, int objtype, IDTYPE id)
{
    (void)state;
    (void)objtype;
    (void)id;
    return 0;                       /* ids are only ever given out by id_map */
}

static void id_free(void *state, int objtype, IDTYPE id)
{
    (void)state;                    /* names stay interned until the graph is closed */
    (void)objtype;
    (void)id;
}

static char *id_print(void *state, int objtype, IDTYPE id)
{
    id_state *st = state;
    (void)objtype;
    if (id % 2 != 0 || id == 0 || id / 2 > st->n)
        return NULL;                /* anonymous: cgraph prints %<id> */
    return st->names[id / 2 - 1];
}

static void id_close(void *state)
{
    id_state *st = state;
    if (st != NULL)
        free(st->names);
    free(st);
}

static void id_register(void *state, int objtype, void *obj)
{
    (void)state;
    (void)objtype;
    (void)obj;
}

const Agiddisc_t ap_dot__ids = { id_open, id_map, id_alloc, id_free, id_print, id_close,
                                 id_register };

/* ---- Escaping ---- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)     /* overlong, */
        || (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)) /* surrogate, */
        return 0;                                                           /* too large */
    return n;
}

/* The code point of a C1 control or a bidirectional control at p (n bytes of UTF-8), else 0:
 * shown as text, never passed on (they reorder or hide what an auditor reads). */
static unsigned invisible(const unsigned char *p, size_t n)
{
    unsigned cp;
    if (n == 2)
        cp = ((unsigned)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    else if (n == 3)
        cp = ((unsigned)(p[0] & 0x0f) << 12) | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    else
        return 0;
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f
        || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
        return cp;
    return 0;
}

/* escString text: what Graphviz will show is exactly s. A backslash is doubled (\N, \G, \E,
 * \T, \H, \L, \l, \r and \n in s are data, not escapes); '&' becomes &amp; (Graphviz decodes
 * HTML entities in plain labels too); a line break becomes \n; other control characters and
 * invalid UTF-8 become the visible text \xNN. At most max bytes of that text are written: a
 * longer s is cut before the character that would pass max and ends in AP_DOT_MORE.
 * ap_dot__put_esc_wrap also breaks it into lines of at most width characters: after a
 * separator in the last WRAP_SLACK characters of a line, else at the width (the breaks do not
 * count towards max: they add at most 2 bytes in width). */
#define WRAP_SLACK 12

/* Characters (UTF-8 lead bytes) from p to the end of the line or string, counted up to limit:
 * a 100 MB name is asked this at every separator, so it must not be read to its end. */
static size_t chars_left(const unsigned char *p, size_t limit)
{
    size_t n = 0;
    for (; *p != '\0' && *p != '\n' && n < limit; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

#define WRAP_AFTER "/:-_., @|"
void ap_dot__put_esc_wrap(ap_strbuf *b, const char *s, size_t max, size_t width)
{
    const unsigned char *p = (const unsigned char *)s;
    char unit[16];
    size_t used = 0, col = 0;
    while (*p != '\0') {
        size_t n = utf8_len(p), ulen;
        const char *u = unit;
        if (*p == '\\') {
            u = "\\\\";
        } else if (*p == '&') {
            u = "&amp;";                          /* Graphviz decodes entities in every label */
        } else if (*p == '\n') {
            u = "\\n";
        } else if (*p == '\r') {
            u = p[1] != '\n' ? "\\n" : "";
        } else if (n == 0 || *p < 0x20 || *p == 0x7f) {
            snprintf(unit, sizeof unit, "\\\\x%02X", *p);
            n = 1;
        } else if (invisible(p, n) != 0) {
            snprintf(unit, sizeof unit, "\\\\u%04X", invisible(p, n));
        } else {
            memcpy(unit, p, n);
            unit[n] = '\0';
        }
        ulen = strlen(u);
        if (used + ulen > max) {
            ap_query__put(b, AP_DOT_MORE);
            return;
        }
        ap_query__put_n(b, u, ulen);
        used += ulen;
        col = *p == '\n' || *p == '\r' ? 0 : col + 1;
        p += n == 0 ? 1 : n;
        /* what is left does not fit the line: break after a separator near its end, or
         * anywhere at its end */
        if (*p != '\0' && (col >= width || (col + WRAP_SLACK >= width
                                              && col + chars_left(p, width - col + 1) > width && ulen > 0
                                              && strchr(WRAP_AFTER, u[ulen - 1]) != NULL))) {
            ap_query__put(b, "\\n");
            col = 0;
        }
    }
}

void ap_dot__put_esc_max(ap_strbuf *b, const char *s, size_t max)
{
    ap_dot__put_esc_wrap(b, s, max, SIZE_MAX);
}

void ap_dot__put_esc(ap_strbuf *b, const char *s)
{
    ap_dot__put_esc_max(b, s, SIZE_MAX);
}

char *ap_diagram_escape(const char *s)
{
    ap_strbuf b = { NULL, 0, 0, false };
    ap_query__put(&b, "");
    ap_dot__put_esc(&b, s);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Text inside an HTML-like label: XML-escaped; control characters and invalid UTF-8 as '?'. */
void ap_dot__put_xml(ap_strbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        size_t n = utf8_len(p);
        switch (*p) {
        case '&': ap_query__put(b, "&amp;"); break;
        case '<': ap_query__put(b, "&lt;"); break;
        case '>': ap_query__put(b, "&gt;"); break;
        case '"': ap_query__put(b, "&quot;"); break;
        default:
            if (n == 0 || *p < 0x20 || *p == 0x7f || invisible(p, n) != 0)
                ap_query__put(b, "?");
            else
                ap_query__put_n(b, (const char *)p, n);
        }
        p += n == 0 ? 1 : n;
    }
}
