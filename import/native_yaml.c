/* import/native_yaml.c: the native inventory in YAML: doc/yaml_doc.c turns the text into jansson
 * values with their positions, native.c validates and stages them, the locator names places. */
#include <stddef.h>

#include "import_internal.h"

/* Walk /section/index/key/item as far as the document allows: the deepest place found. */
static void locate_yaml(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    ap_step steps[4];
    size_t n = 0;
    if (p->section != NULL) {
        steps[n++] = (ap_step){ p->section, 0 };
        if (p->index != AP_NO_ITEM) {
            steps[n++] = (ap_step){ NULL, p->index };
            if (p->key != NULL) {
                steps[n++] = (ap_step){ p->key, 0 };
                if (p->item != AP_NO_ITEM)
                    steps[n++] = (ap_step){ NULL, p->item };
            }
        }
    }
    ap_doc_yaml_where(vctx, steps, n, line, col);
}

int ap_import__yaml(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    ap_yaml_doc *y = NULL;
    const json_t *root;
    int rc;
    if ((rc = ap_doc_yaml_parse(&y, &root, text, len, ctx->path, err)) < 0)
        return rc;
    ctx->locate = locate_yaml;
    ctx->locate_ctx = y;
    rc = ap_import__native_doc(ctx, root, err);
    ctx->locate = NULL;
    ap_doc_yaml_free(y);
    return rc;
}
