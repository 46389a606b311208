/* query/render/html.c: HTML for the evidence pack: text escaped for HTML after the terminal
 * escaping (no control or bidi character survives), anchors for ids, and the score bar. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"
#include "authpath/render.h"
#include "authpath/report.h"
#include "html_internal.h"

char *ap_diagram_anchor(const char *id)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(id);
    char *out = malloc(3 * n + 1), *p = out;
    if (out == NULL)
        return NULL;
    for (const unsigned char *s = (const unsigned char *)id; *s != '\0'; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
            || *s == '-' || *s == '.') {
            *p++ = (char)*s;
        } else {
            *p++ = '_';
            *p++ = hex[*s >> 4];
            *p++ = hex[*s & 15];
        }
    }
    *p = '\0';
    return out;
}

void ap_html__text(ap_html *h, const char *s)
{
    char *safe = ap_text_escape(s != NULL ? s : "");
    if (safe == NULL) {
        h->failed = true;
        return;
    }
    for (const char *p = safe; *p != '\0'; p++) {
        switch (*p) {
        case '&': ap_html__put(h, "&amp;"); break;
        case '<': ap_html__put(h, "&lt;"); break;
        case '>': ap_html__put(h, "&gt;"); break;
        case '"': ap_html__put(h, "&quot;"); break;
        case '\'': ap_html__put(h, "&#39;"); break;
        default: ap_html__putn(h, p, 1);
        }
    }
    free(safe);
}

void ap_html__put(ap_html *h, const char *s)
{
    ap_html__putn(h, s, strlen(s));
}

void ap_html__putn(ap_html *h, const char *s, size_t n)
{
    if (h->failed)
        return;
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + n + 1)
            cap *= 2;
        char *grown = realloc(h->s, cap);
        if (grown == NULL) {
            h->failed = true;
            return;
        }
        h->s = grown;
        h->cap = cap;
    }
    memcpy(h->s + h->len, s, n);
    h->len += n;
    h->s[h->len] = '\0';
    if (h->sink != NULL && h->len >= ((size_t)1 << 20))
        ap_html__flush(h);
}

void ap_html__flush(ap_html *h)
{
    if (h->sink == NULL || h->failed || h->len == 0)
        return;
    if (fwrite(h->s, 1, h->len, h->sink) != h->len)
        h->failed = true;
    h->len = 0;
    h->s[0] = '\0';
}

void ap_html__printf(ap_html *h, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        h->failed = true;       /* formats here are numbers and fixed words */
        return;
    }
    ap_html__putn(h, buf, (size_t)n);
}

void ap_html__link(ap_html *h, const char *prefix, const char *id, const char *text)
{
    char *anchor = ap_diagram_anchor(id);
    if (anchor == NULL) {
        h->failed = true;
        return;
    }
    ap_html__put(h, "<a href=\"#");
    ap_html__put(h, prefix);
    ap_html__put(h, anchor);
    ap_html__put(h, "\">");
    ap_html__text(h, text);
    ap_html__put(h, "</a>");
    free(anchor);
}

void ap_html__node_link(ap_html *h, const char *id)
{
    ap_html__link(h, "n-", id, id);
}

/* Sensitivity colours, least to most sensitive (the diagram legend's hues). */
static const char *const sens_color[AP_SENS_COUNT] = { "#9e9e9e", "#64b5f6", "#ffb74d",
                                                       "#e57373", "#b71c1c" };

char *ap_report_score_svg(const int64_t part[AP_SENS_COUNT], int64_t max)
{
    ap_html h = { NULL, 0, 0, false, NULL };
    const int width = 160, height = 12;
    double x = 0;
    ap_html__printf(&h, "<svg class=\"bar\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", width, height, width,
                    height);
    for (int s = AP_SENS_COUNT - 1; s >= 0 && max > 0; s--) {
        double w = (double)part[s] * width / (double)max;
        if (part[s] <= 0)
            continue;
        ap_html__printf(&h, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" "
                        "fill=\"%s\"><title>%s %lld</title></rect>", x, w, height, sens_color[s],
                        ap_sensitivity_name((ap_sensitivity)s), (long long)part[s]);
        x += w;
    }
    ap_html__put(&h, "</svg>");
    if (h.failed) {
        free(h.s);
        return NULL;
    }
    return h.s;
}
