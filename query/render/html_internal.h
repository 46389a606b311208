/* query/render/html_internal.h: a growing HTML document and the escaping every inventory name
 * goes through on its way in (query/render/html.c); used by the report (query/report.c). */
#ifndef AUTHPATH_HTML_INTERNAL_H
#define AUTHPATH_HTML_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "authpath/render.h"

/* Start from all zeros; once memory runs out, failed is set and nothing more is written. */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
    FILE *sink;             /* NULL: everything kept in s; else s is written out past a MiB */
} ap_html;

/* Write what s holds to the sink (when there is one) and empty it; failed on a write error. */
void ap_html__flush(ap_html *h);

void ap_html__put(ap_html *h, const char *s);           /* markup, as is */
void ap_html__putn(ap_html *h, const char *s, size_t n);
void ap_html__printf(ap_html *h, const char *fmt, ...) AP_PRINTF(2, 3);
/* Text from the inventory: terminal-escaped (controls, bidi), then HTML-escaped. */
void ap_html__text(ap_html *h, const char *s);
/* <a href="#PREFIX ANCHOR">text</a>: a link to the element whose id is prefix and the id's
 * anchor (ap_diagram_anchor); text is escaped. */
void ap_html__link(ap_html *h, const char *prefix, const char *id, const char *text);
/* A link to the node's entry in the report's node index, showing its id. */
void ap_html__node_link(ap_html *h, const char *id);

#endif
