/* authpath/diagram.h: path diagrams. The query side chooses what to show (nodes, edges, marks,
 * what was collapsed); the renderer (query/render/dot.c) draws it as DOT, SVG, PNG or PDF. */
#ifndef AUTHPATH_DIAGRAM_H
#define AUTHPATH_DIAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "authpath/offboard.h"
#include "authpath/paths.h"

/* Marks on shown nodes and edges. */
enum {
    AP_MARK_SOURCE = 1 << 0,        /* the partner the diagram is about */
    AP_MARK_TARGET = 1 << 1,        /* a target the paths lead to */
    AP_MARK_EXPIRED_LIVE = 1 << 2,  /* a live credential whose partner's contract has ended,
                                     * or whose partner is suspended or revoked */
    AP_MARK_SHARED = 1 << 3,        /* a credential held from several domains, or multi-tenant */
    AP_MARK_LOOP = 1 << 4,          /* on a delegation loop */
    AP_MARK_ESCALATION = 1 << 5,    /* an escalating edge (runs_as: the confused deputy) */
    AP_MARK_BOUNDARY = 1 << 6,      /* an edge that crosses from one domain into another */
    AP_MARK_CUT = 1 << 7,           /* an edge of the minimal revocation set (offboard) */
    AP_MARK_CHOKE = 1 << 8          /* a choke point: every carrying path from the partner to
                                     * a cut target passes through it (offboard) */
};

/* Diagrams larger than this are cut down to the paths that matter; the rest is collapsed. */
#define AP_DIAGRAM_MAX_NODES 60
/* The offboarding diagram draws its cut edges and choke points with their chains beyond
 * that, up to this many nodes; what does not fit is counted in a note. */
#define AP_DIAGRAM_MAX_FORCED 120

/* Tiers order what a diagram shows by importance, for cutting it down to a page: tier 0 is
 * always drawn (the partner, cut edges, choke points and their chains); tier k > 0 comes
 * with the k-th chain in priority order (the most sensitive targets and the shortest chains
 * first). A node or edge on several chains takes the earliest. */
typedef struct {
    uint32_t node;
    unsigned marks;
    uint32_t tier;
} ap_diagram_node;

typedef struct {
    uint32_t edge;
    ap_rights rights;       /* the rights shown on the edge */
    unsigned marks;
    uint32_t tier;          /* never below the tiers of its two ends */
} ap_diagram_edge;

/* A fan: parallel edges (one tail, one kind, the same rights and marks) to heads that nothing
 * else in the diagram touches, drawn as one edge labelled with the count to one box. */
typedef struct {
    uint32_t tail;
    uint32_t *edges;        /* the edges it stands for, by index: count of them */
    uint32_t count;
    ap_rights rights;       /* what each of them carries (the same for all) */
    unsigned marks;         /* their marks (the same for all) */
    uint32_t by_kind[AP_KIND_COUNT];    /* their heads by kind */
} ap_diagram_fan;

/* What a diagram is of, for saying where the full list of what it leaves out is. */
typedef enum {
    AP_DIAGRAM_AUTHORITY, AP_DIAGRAM_BLAST, AP_DIAGRAM_PATHS, AP_DIAGRAM_DELEGATION,
    AP_DIAGRAM_OFFBOARD
} ap_diagram_kind;

/* At most this many boxes of left-out nodes in domains where nothing is shown; the rest are
 * summed into one box "in N other domains". */
#define AP_DIAGRAM_MAX_GROUPS 8

/* Reached nodes of one domain that the diagram leaves out. */
typedef struct {
    const char *domain;     /* borrowed from the graph; NULL: the sum over collapsed_domains
                             * other domains (the last group) */
    uint32_t by_kind[AP_KIND_COUNT];
    uint32_t total;
} ap_diagram_collapsed;

typedef struct {
    char *title;            /* "Paths from Acme (acme)": any text; the renderer escapes it */
    char *subtitle;         /* "snapshot 3 at 2026-01-01T00:00:00Z" */
    char *note;             /* bounds hit, what was collapsed; NULL when nothing to say */
    int64_t source;         /* node the diagram is about, or -1 */
    ap_diagram_node *nodes; /* by node index, each once */
    uint32_t nnodes;
    ap_diagram_edge *edges; /* by edge index, each once */
    uint32_t nedges;
    ap_diagram_collapsed *collapsed;    /* by domain */
    uint32_t ncollapsed;
    uint32_t collapsed_nodes, collapsed_edges;
    uint32_t collapsed_domains;         /* domains summed into the NULL group, or 0 */
    ap_diagram_kind kind;
    uint32_t ntiers;        /* 1 + the highest tier of a node or edge */
    ap_diagram_fan *fans;   /* none but in a diagram cut down to a page (ap_diagram_fit) */
    uint32_t nfans;
    const char *rankdir;    /* "LR" or "TB": static text; NULL is "LR" */
    const char *link_prefix;    /* NULL; else every node links to link_prefix followed by
                                 * ap_diagram_anchor(its id) (borrowed: static text) */
} ap_diagram;

AP_EXPORT void ap_diagram_free(ap_diagram *d);

/* Diagrams of query results. Each *out owns a new diagram: ap_diagram_free(). Authority and
 * blast radius show every reached node (blast radius: the resources and workflows and the
 * chains to them) when they fit AP_DIAGRAM_MAX_NODES, otherwise the chains to the most
 * sensitive targets; paths show the paths found; delegation shows the links, the loops and
 * the chains through which partners inherit. What carries authority but is not shown is
 * counted per domain. */
AP_EXPORT int ap_diagram_authority(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                                   ap_error *err);
AP_EXPORT int ap_diagram_blast(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                               ap_error *err);
AP_EXPORT int ap_diagram_paths(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                               const ap_paths *p, ap_error *err);
AP_EXPORT int ap_diagram_delegation(ap_diagram **out, const ap_graph *g, const ap_delegation *d,
                                    int64_t partner, ap_error *err);

/* The offboarding picture: a's authority (a must be the authority of o->partner on g, the
 * graph o was computed on) with the cut edges and choke points marked and the cut targets as
 * targets. The cut edges, the choke points and the chains to them are always shown; then the
 * chains to the targets and everything between the partner and them; then the rest of the
 * reach, most sensitive first, while it fits AP_DIAGRAM_MAX_NODES. */
AP_EXPORT int ap_diagram_offboard(ap_diagram **out, const ap_graph *g, const ap_authority *a,
                                  const ap_offboard *o, ap_error *err);

/* A page: A3 (1191 x 842 pt, either way up) with no text smaller than 8 pt. The smallest
 * text of a diagram is 9 pt (edge labels), so a drawing fits when it is at most 1191 x 842 pt
 * (either way up) scaled by 9/8. */
#define AP_DIAGRAM_PAGE_LONG_PT 1191
#define AP_DIAGRAM_PAGE_SHORT_PT 842
#define AP_DIAGRAM_PAGE_MIN_FONT_PT 8
#define AP_DIAGRAM_FONT_MIN_PT 9
/* Fans of fewer parallel edges stay drawn edge by edge. */
#define AP_DIAGRAM_FAN_MIN 4

/* Cut d down to a page. Graphviz lays d out left to right and (unless that fits as it is) top
 * to bottom; when neither fits, fans are collapsed, then the highest tiers dropped (counted in
 * the dashed boxes, with a note saying where the full list is) until one does; the rank
 * direction that needs the least shrinking is kept. When even tier 0 does not fit, that is drawn and the note says so.
 * *out owns a new diagram (ap_diagram_free()), d is left alone. Lays out in a child process
 * as ap_diagram_render does, so it fails as that does. */
AP_EXPORT int ap_diagram_fit(ap_diagram **out, const ap_graph *g, const ap_diagram *d,
                             ap_error *err);
/* ap_diagram_fit, and when svg is not NULL the page's SVG as ap_diagram_render(..., "svg")
 * gives it, when fitting already laid the page out that way (*svg NULL otherwise: render it).
 * Saves one Graphviz layout per diagram; *svg owns *len bytes plus a NUL (free()). */
AP_EXPORT int ap_diagram_fit_svg(ap_diagram **out, char **svg, size_t *len, const ap_graph *g,
                                 const ap_diagram *d, ap_error *err);

/* The size of d's drawing in points (laid out by dot in a child process with d->rankdir). */
AP_EXPORT int ap_diagram_measure(double *width, double *height, const ap_graph *g,
                                 const ap_diagram *d, ap_error *err);

/* Render d: format "dot" (cgraph's agwrite), or "svg", "png", "pdf" (laid out by dot and
 * rendered by gvc in a child process with CPU and memory caps: a Graphviz crash or cap is an
 * error, AP_EBUG, never the caller's). *out owns *len bytes (free()); text formats end in a NUL
 * that *len does not count. Same diagram, same bytes. Labels are cut at documented bounds
 * (docs/diagrams.md), so the DOT is always readable by Graphviz. */
AP_EXPORT int ap_diagram_render(char **out, size_t *len, const ap_graph *g, const ap_diagram *d,
                                const char *format, ap_error *err);

/* Label text for DOT escString attributes: backslashes doubled, '&' as &amp; (Graphviz decodes
 * entities in labels), line breaks as \n, other control characters and invalid UTF-8 shown
 * as \xNN. *out owns it (free()); NULL on OOM. */
AP_EXPORT char *ap_diagram_escape(const char *s);

/* An id as a fragment name for links (HTML id, SVG href): letters, digits, '-' and '.' kept,
 * every other byte as _XX (hex), so distinct ids give distinct anchors. *out owns it (free());
 * NULL on OOM. */
AP_EXPORT char *ap_diagram_anchor(const char *id);

#endif
