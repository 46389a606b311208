/* import/native_csv.c: the native inventory as a CSV pair (libcsv). Placeholder until the CSV
 * reader lands: refuses CSV input with a clear message. */
#include "import_internal.h"

int ap_import__csv(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    (void)text;
    (void)len;
    return ap_error_at(err, AP_EINPUT, ctx->path, 1, 1, "CSV input is not supported yet");
}
