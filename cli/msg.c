/* cli/msg.c: every diagnostic the authpath command prints, one line each on stderr, as
 * `authpath: FILE:LINE:COL: what is wrong` or `authpath: what is wrong`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cli_error(const ap_error *err)
{
    char *msg = ap_text_escape(err->msg);
    char *file = ap_text_escape(err->file);
    const char *m = msg != NULL ? msg : err->msg;
    if (err->file[0] != '\0' && err->line > 0)
        fprintf(stderr, "authpath: %s:%u:%u: %s\n", file ? file : err->file, err->line,
                err->col, m);
    else if (err->file[0] != '\0')
        fprintf(stderr, "authpath: %s: %s\n", file ? file : err->file, m);
    else
        fprintf(stderr, "authpath: %s\n", m);
    free(msg);
    free(file);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fputs("authpath: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_exit_code(int status)
{
    switch (status) {
    case AP_OK: return EXIT_OK;
    case AP_EINPUT: case AP_ENOTFOUND: case AP_ESCHEMA: return EXIT_USAGE;
    default: return EXIT_INTERNAL;
    }
}

int cli_fail(const ap_error *err, const ap_error_list *more)
{
    cli_error(err);
    if (more != NULL) {
        for (size_t i = 0; i < more->count; i++)
            cli_error(&more->items[i]);
        if (more->total > more->count)
            fprintf(stderr, "authpath: %zu more errors not shown (%zu in all)\n",
                    more->total - more->count, more->total + 1);
    }
    return cli_exit_code(err->code);
}
