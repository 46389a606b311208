/* query/render/export_internal.h: what the whole-graph exporters (OpenGraph, GraphML, CSV)
 * share: each edge's native fields, so every export says what the native inventory says. */
#ifndef AUTHPATH_EXPORT_INTERNAL_H
#define AUTHPATH_EXPORT_INTERNAL_H

#include <jansson.h>

#include "authpath/graph.h"

/* The rights of a mask as the native inventory writes them: "all", "none" or a list of names
 * in vocabulary order (a new reference). */
json_t *ap_render__rights(const ap_vocab *v, ap_rights r);
/* An edge's fields beyond from, to and kind, as the native inventory would write them: id,
 * rights (when the input named them), requires and escalates (when they differ from the
 * kind's default), then its attributes. A new object, NULL when out of memory. */
json_t *ap_render__edge_fields(const ap_graph *g, uint32_t e);
/* A node's attributes as an object (a new reference). */
json_t *ap_render__node_attrs(const ap_graph *g, uint32_t v);

#endif
