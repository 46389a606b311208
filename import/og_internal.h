/* import/og_internal.h: what the OpenGraph reader's parts share: the nodes and edges waiting for
 * the end of the import (opengraph.c), --map's rules (og_rules.c) and the staging (og_stage.c). */
#ifndef AP_IMPORT_OG_INTERNAL_H
#define AP_IMPORT_OG_INTERNAL_H

#include <stdint.h>

#include "import_internal.h"

/* A node as merged over every OpenGraph file of the import (BloodHound upserts by id). */
typedef struct {
    const char *id;             /* borrowed from the parsed documents */
    json_t *kinds;              /* owned: the union of kinds, first seen first */
    json_t *props;              /* owned: later values win */
    json_t *source_kind;        /* borrowed: metadata.source_kind of its first file, or NULL */
    int64_t file;
    const char *path;
    unsigned line, col;
} og_node;

typedef struct {
    const json_t *edge;         /* borrowed from the parsed documents */
    json_t *source_kind;
    int64_t file;
    const char *path;
    unsigned line, col;
} og_edge;

struct ap_og_state {
    og_node *nodes;
    size_t nn, ncap;
    og_edge *edges;
    size_t ne, ecap;
    json_t *index;              /* node id -> its index in nodes */
    json_t *docs;               /* the parsed documents, alive until the import ends */
    json_t *joins;              /* --map's node tests: "kind\x1fkey" -> value -> [indices] */
};

/* The position every place of the current element is reported at. */
typedef struct {
    unsigned line, col;
} og_pos;
/* opengraph.c: reports every place at the current element's position */
void ap_og__locate_pos(void *vctx, const ap_place *p, unsigned *line, unsigned *col);

/* og_rules.c: --map's rules on a node's properties */
int ap_og__has_kind_name(const og_node *n, const char *kind);
const json_t *ap_og__map_rule(struct ap_og_state *s, const json_t *map, const og_node *n);
char *ap_og__expand_id(const char *tpl, const json_t *props);
const char *ap_og__foreign_edge_kind(const json_t *map, const char *kind);

/* og_stage.c: an edge endpoint's node index, or -1 */
long ap_og__resolve(struct ap_og_state *s, const json_t *ep);

#endif
