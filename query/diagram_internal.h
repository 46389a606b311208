/* query/diagram_internal.h: what the diagram files share: the builder that records which nodes
 * and edges a diagram shows and in which tier (diagram_build.c), used by the selection of each
 * kind of diagram (diagram.c) and by the cutting down to a page (diagram_fit.c). */
#ifndef AUTHPATH_DIAGRAM_INTERNAL_H
#define AUTHPATH_DIAGRAM_INTERNAL_H

#include "authpath/diagram.h"

/* ap_diagram_measure, keeping the SVG it laid out: *svg owns *len bytes plus a NUL
 * (render/dot.c). */
int ap_diagram__measure_svg(double *width, double *height, char **svg, size_t *len,
                            const ap_graph *g, const ap_diagram *d, ap_error *err);

/* Run work(ctx, fd) in a renderer's child (render/dot_render.c: ap_dot__in_child): *out owns
 * what it wrote (*len bytes plus a NUL). ap_diagram__write_all writes into fd: 0, or -1. */
int ap_diagram__in_renderer(char **out, size_t *len, int (*work)(void *ctx, int fd), void *ctx,
                            ap_error *err);
int ap_diagram__write_all(int fd, const char *data, size_t len);

#define AP_DIAGRAM_SHOWN 0x80000000u    /* in a builder's node or edge flags: shown */

typedef struct {
    const ap_graph *g;
    unsigned *nflag;                /* per node: AP_DIAGRAM_SHOWN | marks */
    unsigned *eflag;                /* per edge: AP_DIAGRAM_SHOWN | marks */
    ap_rights *erights;             /* per edge: rights shown */
    uint32_t *ntier, *etier;        /* per node and edge: the tier it was first shown in */
    uint32_t tier;                  /* the tier of what is shown now */
    uint32_t nshown;
} ap_diagram_builder;

int ap_diagram__init(ap_diagram_builder *b, const ap_graph *g, ap_error *err);
void ap_diagram__release(ap_diagram_builder *b);
/* Show v (with marks) in the current tier, unless it is shown already. */
void ap_diagram__show_node(ap_diagram_builder *b, uint32_t v, unsigned marks);
/* Show edge e and its ends; e takes the highest of the current tier and its ends' tiers. */
void ap_diagram__show_edge(ap_diagram_builder *b, uint32_t e, ap_rights r, unsigned marks);
/* Nodes of v's witness path not shown yet, counted up to just past limit. */
uint32_t ap_diagram__witness_cost(const ap_diagram_builder *b, const ap_authority *a, uint32_t v,
                                  uint32_t limit);
/* v's witness path, each edge labelled with what the path carries over it. */
void ap_diagram__show_witness(ap_diagram_builder *b, const ap_authority *a, uint32_t v);
/* Every edge carrying a's authority between two shown nodes, in the tier of its later end. */
void ap_diagram__show_carrying(ap_diagram_builder *b, const ap_authority *a);
/* Append a line to *note; -1 when memory runs out. */
int ap_diagram__add_note(char **note, const char *line);
/* Turn the builder into *out: marks, the shown lists, what a's authority reaches that is not
 * shown (when a is given), title and notes. Takes ownership of note. */
int ap_diagram__finish(ap_diagram **out, ap_diagram_builder *b, const ap_authority *a,
                       int64_t source, ap_diagram_kind kind, const char *what, char *note,
                       ap_error *err);

#endif
