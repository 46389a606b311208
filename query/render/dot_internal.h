/* query/render/dot_internal.h: what the diagram renderer's files share: the id discipline that
 * keeps diagrams byte for byte the same, label escapers, the style, and the rendering child. */
#ifndef AUTHPATH_DOT_INTERNAL_H
#define AUTHPATH_DOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <gvc.h>

#include "authpath/diagram.h"
#include "../query_internal.h"

/* cgraph 2.42 declares char * where it only reads: the casts live in these wrappers. */
static inline Agsym_t *ap_dot__decl(Agraph_t *g, int kind, const char *name, const char *dflt)
{
    return agattr(g, kind, (char *)name, (char *)dflt);
}

static inline void ap_dot__set(void *obj, Agsym_t *sym, const char *value)
{
    agxset(obj, sym, (char *)value);
}

/* Named objects get ids 2, 4, 6..., anonymous ones 1, 3, 5..., in creation order per graph. */
extern const Agiddisc_t ap_dot__ids;

/* Text for a label (escString) that Graphviz shows exactly as s: backslashes doubled, '&' as
 * &amp;, line breaks as \n, other control characters and invalid UTF-8 as the text \xNN. */
void ap_dot__put_esc(ap_strbuf *b, const char *s);
/* The same, writing at most max bytes of escaped text: a longer s is cut at a character and
 * ends in AP_DOT_MORE. */
void ap_dot__put_esc_max(ap_strbuf *b, const char *s, size_t max);
/* The same, broken into lines of at most width characters (at a separator when one is near). */
void ap_dot__put_esc_wrap(ap_strbuf *b, const char *s, size_t max, size_t width);
#define AP_DOT_WRAP 32              /* characters per line of a name or id in a node label */
#define AP_DOT_NOTE_WRAP 150        /* characters per line of the notes under the title */
#define AP_DOT_MORE "\xe2\x80\xa6"      /* U+2026 HORIZONTAL ELLIPSIS */

/* Bounds on what one piece of label text may take in DOT (escaped bytes), so that every label
 * stays far below the 16,384 bytes Graphviz's DOT reader takes in one token, and a diagram's
 * size follows from its node count (docs/diagrams.md). */
#define AP_DOT_NAME_MAX 200         /* a name, id, type, domain in a label */
#define AP_DOT_TOOLTIP_MAX 4096     /* the id in a node's tooltip */
#define AP_DOT_RIGHT_MAX 64         /* one right's name on an edge */
#define AP_DOT_RIGHTS_MAX 1024      /* all the rights on an edge */
#define AP_DOT_TITLE_MAX 1024       /* the title and subtitle */
#define AP_DOT_NOTE_MAX 4096        /* the notes under the title */
/* Text inside an HTML-like label: XML-escaped; control characters and invalid UTF-8 as '?'. */
void ap_dot__put_xml(ap_strbuf *b, const char *s);

/* ---- Style (dot_style.c) ---- */

/* The attributes a diagram sets, declared once with their defaults (before any value is set,
 * so no object silently gets an empty label). */
typedef struct {
    Agsym_t *g_label, *g_rankdir, *c_label, *c_style, *c_fill, *c_color;
    Agsym_t *n_label, *n_shape, *n_style, *n_fill, *n_color, *n_pen, *n_peri, *n_tooltip;
    Agsym_t *n_margin;
    Agsym_t *n_url;
    Agsym_t *e_label, *e_color, *e_style, *e_pen, *e_font, *e_tooltip;
} ap_dot_attrs;

/* Declare them on root g (n_url is left NULL: only diagrams whose nodes link declare it). */
void ap_dot__declare(Agraph_t *g, ap_dot_attrs *at);
/* A domain's cluster (home: our own estate), a node and an edge by their kind, sensitivity and
 * marks. */
void ap_dot__cluster_style(Agraph_t *sg, const ap_dot_attrs *at, bool home);
void ap_dot__node_style(Agnode_t *n, const ap_dot_attrs *at, const ap_graph *g,
                        const ap_diagram_node *dn);
void ap_dot__edge_style(Agedge_t *e, const ap_dot_attrs *at, const ap_diagram_edge *de);
/* The legend: only what diagram d uses, as an HTML-like table of fixed words. */
void ap_dot__legend(ap_strbuf *b, const ap_graph *g, const ap_diagram *d);

/* ---- Rendering (dot_render.c) ---- */

/* Caps of one rendering (dot_render.c): CPU seconds and memory (MiB over what the process
 * already uses) for the child that lays out and renders; the wall clock it may go without
 * using any CPU (a blocked child), and the wall clock it is given in all. */
#define AP_RENDER_CPU_SECONDS 10
/* Under AddressSanitizer the same rendering takes about twice the address space (redzones, and
 * freed memory held in quarantine): the sanitizer build gets that room, the product keeps 512. */
#if defined(__SANITIZE_ADDRESS__)
#define AP_RENDER_MEMORY_MB 1024
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AP_RENDER_MEMORY_MB 1024
#endif
#endif
#ifndef AP_RENDER_MEMORY_MB
#define AP_RENDER_MEMORY_MB 512
#endif
#define AP_RENDER_WALL_SECONDS 30
#define AP_RENDER_WALL_MAX_SECONDS 600

/* Lay root out with dot and render it as format ("svg", "png", "pdf") in a child process
 * under those caps. *out owns *len bytes plus a NUL. A crash, a cap reached or a Graphviz
 * error is an error here, never a fault of the caller; nothing of it outlives the call. */
int ap_dot__render(char **out, size_t *len, Agraph_t *root, const char *format, ap_error *err);
/* Run work(ctx, fd) in one such child and collect what it writes into fd (*out, *len, plus a
 * NUL); work returns 0, or -1 when it could not write. Inside it, ap_dot__render lays out and
 * renders in the child itself, each drawing under the caps above counted from its start: a
 * fit's many layouts cost one child and one Graphviz context, not one each. */
int ap_dot__in_child(char **out, size_t *len, int (*work)(void *ctx, int fd), void *ctx,
                     ap_error *err);
/* Write all of data into fd: 0, or -1. */
int ap_dot__write_all(int fd, const char *data, size_t len);

#endif
