/* query/render/dot_internal.h: what dot.c and dot_text.c share: the id discipline that keeps
 * diagrams byte for byte the same, and the escapers of label text (into an ap_strbuf). */
#ifndef AUTHPATH_DOT_INTERNAL_H
#define AUTHPATH_DOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <gvc.h>

#include "../query_internal.h"

/* Named objects get ids 2, 4, 6..., anonymous ones 1, 3, 5..., in creation order per graph. */
extern const Agiddisc_t ap_dot__ids;

/* Text for a label (escString) that Graphviz shows exactly as s: backslashes doubled, '&' as
 * &amp;, line breaks as \n, other control characters and invalid UTF-8 as the text \xNN. */
void ap_dot__put_esc(ap_strbuf *b, const char *s);
/* Text inside an HTML-like label: XML-escaped; control characters and invalid UTF-8 as '?'. */
void ap_dot__put_xml(ap_strbuf *b, const char *s);

#endif
