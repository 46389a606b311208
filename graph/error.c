/* graph/error.c: filling ap_error. The only place that formats an error message; callers raise
 * and return in one statement: `return ap_error_at(err, AP_EINPUT, file, line, col, ...);` */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "authpath/error.h"

static void set_msg(ap_error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int ap_error_set(ap_error *err, ap_status code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        memset(err, 0, sizeof *err);
        err->code = code;
        va_start(ap, fmt);
        set_msg(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

int ap_error_at(ap_error *err, ap_status code, const char *file, unsigned line, unsigned col,
                const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        memset(err, 0, sizeof *err);
        err->code = code;
        snprintf(err->file, sizeof err->file, "%s", file != NULL ? file : "");
        err->line = line;
        err->col = col;
        va_start(ap, fmt);
        set_msg(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

int ap_error_nomem(ap_error *err)
{
    return ap_error_set(err, AP_ENOMEM, "out of memory");
}

void ap_error_list_add(ap_error_list *list, const ap_error *e)
{
    if (list == NULL)
        return;
    if (list->count < sizeof list->items / sizeof list->items[0])
        list->items[list->count++] = *e;
    list->total++;
}
