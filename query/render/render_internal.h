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
/* Dump doc (taking ownership; NULL is out of memory) with a final newline. */
int ap_render__dump(FILE *out, json_t *doc, ap_error *err);

#endif
