/* import/import.c: one import from start to end. Reads each file as UTF-8 text, hands it to the
 * reader its shape calls for (detect.c), checks what spans files, commits one snapshot or none. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_internal.h"

ap_format ap_format_parse(const char *s)
{
    if (strcmp(s, "auto") == 0)
        return AP_FORMAT_AUTO;
    if (strcmp(s, "native") == 0)
        return AP_FORMAT_NATIVE;
    if (strcmp(s, "aws-iam") == 0 || strcmp(s, "aws") == 0)
        return AP_FORMAT_AWS_IAM;
    if (strcmp(s, "opengraph") == 0)
        return AP_FORMAT_OPENGRAPH;
    if (strcmp(s, "k8s") == 0 || strcmp(s, "kubernetes") == 0)
        return AP_FORMAT_K8S;
    if (strcmp(s, "msgraph") == 0 || strcmp(s, "entra") == 0)
        return AP_FORMAT_MSGRAPH;
    if (strcmp(s, "usage") == 0)
        return AP_FORMAT_USAGE;
    return AP_FORMAT_COUNT;
}

void ap_import__note(ap_import_ctx *ctx, unsigned line, unsigned col, const char *what)
{
    ap_import_notes *notes = ctx->opts->notes;
    ap_import_note *n;
    if (notes == NULL)
        return;
    for (size_t i = 0; i < notes->count; i++) {
        n = &notes->items[i];
        if (strcmp(n->what, what) == 0 && strcmp(n->file, ctx->path) == 0) {
            n->count++;
            return;
        }
    }
    if (notes->count == AP_MAX_NOTES) {
        notes->other++;
        return;
    }
    n = &notes->items[notes->count++];
    snprintf(n->file, sizeof n->file, "%s", ctx->path);
    snprintf(n->what, sizeof n->what, "%s", what);
    n->line = line;
    n->col = col;
    n->count = 1;
}

static void report_progress(ap_import_ctx *ctx)
{
    ap_import_progress p = { ctx->path, ctx->file_index, ctx->files, ctx->rows };
    if (ctx->opts->progress != NULL)
        ctx->opts->progress(ctx->opts->progress_arg, &p);
}

void ap_import__tick(ap_import_ctx *ctx)
{
    if (++ctx->rows % AP_IMPORT_PROGRESS_ROWS == 0)
        report_progress(ctx);
}

typedef struct {
    char *text;
    size_t len;
    int mapped;
} file_text;

static int read_file(file_text *ft, const char *path, ap_error *err)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    memset(ft, 0, sizeof *ft);
    if (fd < 0)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "not a regular file");
    }
    ft->len = (size_t)sb.st_size;
    if (ft->len > 0) {
        void *p = mmap(NULL, ft->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return ap_error_at(err, AP_EIO, path, 0, 0, "cannot map: %s", strerror(errno));
        }
        ft->text = p;
        ft->mapped = 1;
    } else {
        ft->text = (char *)"";
    }
    close(fd);
    return AP_OK;
}

static void free_file(file_text *ft)
{
    if (ft->mapped)
        munmap(ft->text, ft->len);
}

static int import_one(ap_import_ctx *ctx, const char *path, ap_error *err)
{
    file_text ft;
    const char *text, *nul;
    char *decoded = NULL;
    size_t len;
    ap_reader_fn read;
    int rc;
    char sha256[AP_SHA256_HEX];
    ap_digest d;
    if ((rc = read_file(&ft, path, err)) < 0)
        return rc;
    /* the mapped bytes, as read from the file: the readers below parse the same pages */
    ap_import__digest_init(&d);
    ap_import__digest_add(&d, ft.text, ft.len);
    ap_import__digest_hex(&d, sha256);
    if ((rc = ap_store_add_source(ctx->st, path, &ctx->file, err)) < 0
        || (rc = ap_store_source_hash(ctx->st, ctx->file, sha256, err)) < 0)
        goto cleanup;
    ctx->path = path;
    text = ft.text;
    len = ft.len;
    if ((rc = ap_import__not_compressed(text, len, path, err)) < 0
        || (rc = ap_import__decode(&decoded, &text, &len, path, err)) < 0)
        goto cleanup;
    if ((nul = memchr(text, '\0', len)) != NULL) {
        unsigned line = 1, col = 1;
        for (const char *p = text; p < nul; p++, col++)
            if (*p == '\n') {
                line++;
                col = 0;
            }
        rc = ap_error_at(err, AP_EINPUT, path, line, col, "NUL byte in a text file (UTF-16 "
                         "needs a byte order mark; binary input is not supported)");
        goto cleanup;
    }
    report_progress(ctx);
    if (ctx->opts->format == AP_FORMAT_AUTO && ap_import__usage_text(text, len, NULL, 0)) {
        char what[100];
        ap_import__usage_text(text, len, what, sizeof what);
        rc = ap_error_at(err, AP_EINPUT, path, 1, 1, "this looks like %s, observed use: "
                         "import it on its own, after the inventory (authpath import --as "
                         "usage FILE...)", what);
        goto cleanup;
    }
    if ((rc = ap_import__detect(&read, ctx->opts->format, path, text, len, err)) == AP_OK)
        rc = read(ctx, text, len, err);
cleanup:
    free(decoded);
    free_file(&ft);
    return rc;
}

/* Every custom right an inventory uses must be declared in this import's 'rights'. */
static void check_declared(ap_import_ctx *ctx)
{
    const ap_vocab *v = ap_store_vocab(ctx->st);
    for (unsigned bit = AP_R_BUILTIN; bit < v->count; bit++) {
        if (ctx->use_file[bit] == 0 || (ctx->declared >> bit & 1))
            continue;
        ap_error e;
        ap_error_at(&e, AP_EINPUT, ap_store_source_path(ctx->st, ctx->use_file[bit]),
                    ctx->use_line[bit], ctx->use_col[bit],
                    "unknown right '%s' (declare it in the inventory's 'rights' list)",
                    v->names[bit]);
        if (ctx->nerr++ == 0)
            ctx->first = e;
        else
            ap_error_list_add(ctx->opts->more, &e);
    }
}

/* The --max-nodes and --max-edges guard, checked after each file: an estate far larger than
 * expected is refused before it becomes a snapshot every query would have to load. */
static int check_size(const ap_store *st, const ap_import_opts *opts, const char *path,
                      ap_error *err)
{
    uint64_t nodes, edges;
    ap_store_staged(st, &nodes, &edges);
    if (opts->max_nodes > 0 && nodes > opts->max_nodes)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "the import holds more than %llu nodes "
                           "(%llu so far; raise --max-nodes if that is expected)",
                           (unsigned long long)opts->max_nodes, (unsigned long long)nodes);
    if (opts->max_edges > 0 && edges > opts->max_edges)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "the import holds more than %llu edges "
                           "(%llu so far; raise --max-edges if that is expected)",
                           (unsigned long long)opts->max_edges, (unsigned long long)edges);
    return AP_OK;
}

/* An import that adds no node is refused as an unreadable one is: it would be an empty
 * snapshot, and every query against it would answer "nothing" as if that were the estate. */
static int check_some_node(const ap_store *st, const char *const *paths, size_t n,
                           ap_error *err)
{
    uint64_t nodes, edges;
    ap_store_staged(st, &nodes, &edges);
    if (nodes > 0)
        return AP_OK;
    return ap_error_at(err, AP_EINPUT, paths[n - 1], 1, 1, "nothing to import: %s no node "
                       "(an empty inventory makes no snapshot)", n == 1 ? "the file declares"
                       : "the files declare");
}

static char *default_label(const char *const *paths, size_t n)
{
    size_t len = 1;
    char *label;
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(paths[i], '/');
        len += strlen(base != NULL ? base + 1 : paths[i]) + 2;
    }
    if ((label = malloc(len)) == NULL)
        return NULL;
    label[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(paths[i], '/');
        if (i > 0)
            strcat(label, ", ");
        strcat(label, base != NULL ? base + 1 : paths[i]);
    }
    return label;
}

/* Is path a CSV rights file (its header the one column 'right')? A peek at its first line. */
static bool rights_file(const char *path)
{
    char head[16];
    size_t got;
    const char *h = head;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[got] = '\0';
    if (strncmp(h, "\xef\xbb\xbf", 3) == 0)
        h += 3;
    if (strncmp(h, "\"right\"", 7) == 0)
        h += 7;
    else if (strncmp(h, "right", 5) == 0)
        h += 5;
    else
        return false;
    return *h == '\0' || *h == '\r' || *h == '\n';
}

int ap_import_files(ap_store *st, const char *const *paths, size_t n,
                    const ap_import_opts *opts, int64_t *snap, ap_error *err)
{
    ap_import_opts defaults = { .format = AP_FORMAT_AUTO };
    ap_import_ctx ctx;
    char *label = NULL;
    int rc;
    if (opts == NULL)
        opts = &defaults;
    if (n == 0)
        return ap_error_set(err, AP_EINPUT, "no input files");
    /* observed use is stored beside an existing snapshot, not as a new one */
    if (opts->format == AP_FORMAT_USAGE
        || (opts->format == AP_FORMAT_AUTO && ap_import__usage_file(paths[0])))
        return ap_import__usage(st, paths, n, opts, snap, err);
    memset(&ctx, 0, sizeof ctx);
    ctx.st = st;
    ctx.opts = opts;
    ctx.files = n;
    /* the kind map first: a bad one stops the import before the database is touched */
    if (opts->og_map != NULL
        && (rc = ap_import__og_map_load(&ctx.og_nodes, &ctx.og_edges, opts->og_map, err)) < 0)
        return rc;
    if ((rc = ap_store_begin(st, err)) < 0) {
        json_decref(ctx.og_nodes);
        json_decref(ctx.og_edges);
        return rc;
    }
    /* CSV rights files first: a right's bit is given at its first sight, so a custom right
     * used by an edges file read before the rights file that declares them took the edges'
     * order; the vocabulary (the order rights print in) is the declared one, whatever the
     * order of the files (export, import, export gave other bytes) */
    for (size_t k = 0; k < 2 * n; k++) {
        size_t i = k % n;
        int before = ctx.nerr;
        if (rights_file(paths[i]) != (k < n))
            continue;
        ctx.file_index = i;
        if ((rc = import_one(&ctx, paths[i], err)) < 0 && rc != AP_EINPUT)
            goto fail;
        if (rc == AP_EINPUT && ctx.nerr == before) {   /* a syntax error: the file stops */
            if (ctx.nerr++ == 0)
                ctx.first = *err;
            else
                ap_error_list_add(opts->more, err);
        }
        if ((rc = check_size(st, opts, paths[i], err)) < 0)
            goto fail;
    }
    /* OpenGraph edges may name nodes of any file: they are resolved once all are read */
    if ((rc = ap_import__opengraph_finish(&ctx, err)) < 0 && rc != AP_EINPUT)
        goto fail;
    if ((rc = ap_import__k8s_finish(&ctx, err)) < 0 && rc != AP_EINPUT)
        goto fail;
    if ((rc = ap_import__msgraph_finish(&ctx, err)) < 0 && rc != AP_EINPUT)
        goto fail;
    check_declared(&ctx);
    {
        /* edges to undeclared nodes and repeated edge ids join the errors found so far */
        ap_error_list found;
        ap_error e;
        memset(&found, 0, sizeof found);
        rc = ap_store_check(st, &found, &e);
        if (rc < 0 && rc != AP_EINPUT) {
            *err = e;
            goto fail;
        }
        if (rc == AP_EINPUT) {
            if (ctx.nerr++ == 0)
                ctx.first = e;
            else
                ap_error_list_add(opts->more, &e);
            for (size_t i = 0; i < found.count; i++, ctx.nerr++)
                ap_error_list_add(opts->more, &found.items[i]);
            if (opts->more != NULL)
                opts->more->total += found.total - found.count;
        }
    }
    if (ctx.nerr == 0 && (rc = check_some_node(st, paths, n, err)) < 0)
        goto fail;
    if (ctx.nerr > 0) {
        *err = ctx.first;
        rc = AP_EINPUT;
        goto fail;
    }
    if ((label = opts->label != NULL ? strdup(opts->label) : default_label(paths, n)) == NULL) {
        rc = ap_error_nomem(err);
        goto fail;
    }
    rc = ap_store_commit(st, label, opts->created, snap, err);
    free(label);
    ap_import__opengraph_free(&ctx);
    ap_import__k8s_free(&ctx);
    ap_import__msgraph_free(&ctx);
    json_decref(ctx.aws_vendors);
    json_decref(ctx.og_nodes);
    json_decref(ctx.og_edges);
    return rc;
fail:
    ap_store_rollback(st);
    ap_import__opengraph_free(&ctx);
    ap_import__k8s_free(&ctx);
    ap_import__msgraph_free(&ctx);
    json_decref(ctx.aws_vendors);
    json_decref(ctx.og_nodes);
    json_decref(ctx.og_edges);
    return rc;
}

void ap_import__label(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t k;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n < size || size < 4)
        return;
    for (k = size - 4; k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80; k--)
        ;                       /* not inside a UTF-8 character */
    memcpy(buf + k, "...", 4);
}
