/* import/native_yaml.c: the native inventory as YAML (libyaml). Placeholder until the YAML
 * reader lands: refuses YAML input with a clear message. */
#include "import_internal.h"

int ap_import__yaml(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    (void)text;
    (void)len;
    return ap_error_at(err, AP_EINPUT, ctx->path, 1, 1, "YAML input is not supported yet");
}
