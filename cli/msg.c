/* cli/msg.c: every diagnostic the authpath command prints, one line each on stderr, as
 * `authpath: FILE:LINE:COL: what is wrong` or `authpath: what is wrong`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

void cli_notes(const ap_import_notes *notes)
{
    for (size_t i = 0; i < notes->count; i++) {
        const ap_import_note *n = &notes->items[i];
        char *file = ap_text_escape(n->file);
        char *what = ap_text_escape(n->what);
        const char *f = file != NULL ? file : n->file, *w = what != NULL ? what : n->what;
        if (n->line > 0)
            fprintf(stderr, "authpath: %s:%u:%u: note: %s (%zu in all)\n", f, n->line, n->col,
                    w, n->count);
        else
            fprintf(stderr, "authpath: %s: note: %s (%zu in all)\n", f, w, n->count);
        free(file);
        free(what);
    }
    if (notes->other > 0)
        fprintf(stderr, "authpath: note: %zu more constructs of other kinds were not imported\n",
                notes->other);
}

/* Progress on a terminal only, and only once an import has run for a second: rows staged
 * and the rate, redrawn in place at most five times a second. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    p->start = p->last = now_seconds();
}

void cli_progress_cb(void *arg, const ap_import_progress *pr)
{
    cli_progress *p = arg;
    double t;
    if (!p->tty)
        return;
    t = now_seconds();
    if (t - p->start < 1.0 || t - p->last < 0.2)
        return;
    p->last = t;
    p->shown = 1;
    char *file = ap_text_escape(pr->file);
    fprintf(stderr, "\rauthpath: reading %s (%zu/%zu): %llu rows, %.0f rows/s   ",
            file != NULL ? file : "", pr->file_index + 1, pr->files,
            (unsigned long long)pr->rows, (double)pr->rows / (t - p->start));
    free(file);
}

void cli_progress_done(cli_progress *p)
{
    if (p->shown)
        fputc('\n', stderr);
}
