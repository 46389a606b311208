/* import/native_json.c: the native inventory as JSON. jansson parses; since jansson keeps no
 * positions for values, json_walk.c re-walks the text to the place of each node, edge or error. */
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

/* Every node and edge gets a place (its provenance), so element k of "nodes" or "edges" must
 * not rescan the text: their offsets are listed once, on first use. */
typedef struct {
    size_t *at;
    size_t n;
    int built;
    int looked;
    size_t list_at;         /* where the section's list starts, SIZE_MAX when absent */
} section_index;

typedef struct {
    ap_json_text t;
    section_index nodes, edges;
} json_locator;

/* Element k of the section whose list is at list_at, through the index for nodes and edges. */
static size_t find_element(json_locator *lc, section_index *ix, size_t list_at, size_t k)
{
    if (ix == NULL)
        return ap_json__find_index(&lc->t, list_at, k);
    if (!ix->built) {
        ix->built = 1;
        if (ap_json__elements(&lc->t, list_at, &ix->at, &ix->n) != AP_OK)
            ix->n = 0;                  /* out of memory: fall back to scanning */
    }
    return k < ix->n ? ix->at[k] : ap_json__find_index(&lc->t, list_at, k);
}

/* Walk /section/index/key/item as far as the text allows: the deepest place found. */
static void locate_json(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    json_locator *lc = vctx;
    const ap_json_text *t = &lc->t;
    size_t at = ap_json__skip_ws(t, 0), next = SIZE_MAX;
    section_index *ix = p->section == NULL ? NULL
                      : strcmp(p->section, "nodes") == 0 ? &lc->nodes
                      : strcmp(p->section, "edges") == 0 ? &lc->edges : NULL;
    if (ix != NULL) {
        if (!ix->looked) {
            ix->looked = 1;
            ix->list_at = ap_json__find_key(t, at, p->section);
        }
        next = ix->list_at;
    } else if (p->section != NULL) {
        next = ap_json__find_key(t, at, p->section);
    }
    if (p->section != NULL && next != SIZE_MAX) {
        at = next;
        if (p->index != AP_NO_ITEM && (next = find_element(lc, ix, at, p->index)) != SIZE_MAX) {
            at = next;
            if (p->key != NULL && (next = ap_json__find_key(t, at, p->key)) != SIZE_MAX) {
                at = next;
                if (p->item != AP_NO_ITEM
                    && (next = ap_json__find_index(t, at, p->item)) != SIZE_MAX)
                    at = next;
            }
        }
    }
    ap_json__line_col(t, at, line, col);
}

int ap_import__json(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    json_locator lc;
    json_error_t je;
    json_t *doc;
    int rc;
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL)
        return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    memset(&lc, 0, sizeof lc);
    if (ap_json__text_init(&lc.t, text, len) != AP_OK) {
        ap_json__text_free(&lc.t);
        json_decref(doc);
        return ap_error_nomem(err);
    }
    ctx->locate = locate_json;
    ctx->locate_ctx = &lc;
    rc = ap_import__native_doc(ctx, doc, err);
    ctx->locate = NULL;
    free(lc.nodes.at);
    free(lc.edges.at);
    ap_json__text_free(&lc.t);
    json_decref(doc);
    return rc;
}
