/* query/render/render_internal.h: what the findings renderers share: a finding's evidence as
 * JSON (the JSON and SARIF forms carry the same object) and writing a JSON document. */
#ifndef AUTHPATH_RENDER_INTERNAL_H
#define AUTHPATH_RENDER_INTERNAL_H

#include <jansson.h>

#include "authpath/render.h"

/* {"partner", "nodes", "facts", "path": [{"id", "from", "to", "kind"}], "source"}; NULL: OOM */
json_t *ap_render__evidence(const ap_graph *g, const ap_finding *f);
/* {"owner", "reason", "expires", "expired"} of the finding's waiver; NULL when it has none */
json_t *ap_render__waiver(const ap_graph *g, const ap_finding *f);
/* Can JSON carry every string the findings' JSON and SARIF take from finding number i (its
 * ids, message, facts, path, source and waiver)? jansson refuses a string that is not valid
 * UTF-8 (json_string gives NULL, which json_object_set_new drops without a word): AP_OK, else
 * AP_EINPUT naming the first such string's place in err (AP_ENOMEM when memory ran out). */
int ap_render__finding_encodable(const ap_graph *g, const ap_finding *f, size_t i,
                                 ap_error *err);
/* Dump doc (taking ownership; NULL is out of memory) with a final newline. */
int ap_render__dump(FILE *out, json_t *doc, ap_error *err);

/* How many steps of a path of npath steps the findings outputs print. */
size_t ap_render__path_shown(size_t npath);
/* The index in the path of the k-th step printed (k < ap_render__path_shown(npath)). */
size_t ap_render__path_step(size_t k, size_t npath);
/* Write item as one element of an array nested `indent` spaces deep in a JSON_INDENT(2)
 * document (the bytes json_dumpf would give for the whole document), after a comma unless it
 * is the first; takes ownership of item (NULL is out of memory). */
int ap_render__dump_item(FILE *out, json_t *item, int indent, bool first, ap_error *err);
/* Write the document doc, whose array at key `key` (empty in doc) gets n items from
 * item(ctx, i) (NULL: skip it), streamed one at a time; takes ownership of doc. The key must
 * be unique in the document and its array nested `indent` spaces deep. */
int ap_render__dump_stream(FILE *out, json_t *doc, const char *key, int indent, size_t n,
                           json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                           ap_error *err);
/* ap_render__dump_stream with each item on a line of its own, compact: for logs that machines
 * read (SARIF), a third of the bytes and of the time to write them. */
int ap_render__dump_stream_lines(FILE *out, json_t *doc, const char *key, int indent, size_t n,
                                 json_t *(*item)(void *ctx, size_t i, bool *skip), void *ctx,
                                 ap_error *err);

#endif
