/* import/import_internal.h: what the readers share. Every syntax (JSON, YAML, CSV) turns its
 * input into jansson values plus a locator, and native.c validates and stages them. */
#ifndef AUTHPATH_IMPORT_INTERNAL_H
#define AUTHPATH_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "authpath/import.h"
#include "../doc/doc.h"

/* A place in a native document: /section/index/key/item. */
typedef struct {
    const char *section;    /* "nodes", "edges", "rights", or NULL for the document itself */
    size_t index;           /* element of the section (AP_NO_ITEM: the section itself) */
    const char *key;        /* attribute, or NULL for the element itself */
    size_t item;            /* element of a list attribute, or AP_NO_ITEM */
    const json_t *value;    /* the value found there, when there is one */
} ap_place;

/* Turns a place into a 1-based line and column of the input (0, 0 when unknown). */
typedef void (*ap_locate_fn)(void *ctx, const ap_place *p, unsigned *line, unsigned *col);

/* One import in progress: the store, the file being read, the errors so far. */
typedef struct {
    ap_store *st;
    const ap_import_opts *opts;
    int64_t file;               /* source id of the current file */
    const char *path;
    ap_locate_fn locate;
    void *locate_ctx;
    int nerr;                   /* errors so far in this import */
    ap_error first;             /* the first of them */
    uint64_t declared;          /* rights declared by this import's inventories */
    unsigned use_line[64], use_col[64];     /* first use of each right in this import */
    int64_t use_file[64];
    uint64_t rows;              /* nodes and edges staged so far, for progress */
    size_t file_index, files;   /* which of the import's files is being read */
    struct ap_og_state *og;     /* OpenGraph nodes and edges waiting for the end of the import */
    struct ap_mg_state *mg;     /* Microsoft Graph objects waiting likewise (msgraph.c) */
    json_t *aws_vendors;        /* account id -> vendor name, loaded on first AWS file */
    json_t *og_nodes, *og_edges;    /* --map: foreign kind -> authpath kind, or NULL */
    struct ap_k8s_state *k8s;   /* Kubernetes objects waiting for the end of the import */
} ap_import_ctx;

/* A node's label (a name to show, never an id) into buf: whole, or cut at a character's start
 * and ending in "..." so that it says it is cut. */
void ap_import__label(char *buf, size_t size, const char *fmt, ...) AP_PRINTF(3, 4);

/* Record an input error at place p (located through ctx->locate); always returns AP_EINPUT. */
int ap_import__fail(ap_import_ctx *ctx, const ap_place *p, const char *fmt, ...)
    AP_PRINTF(3, 4);

/* The attributes of obj but the nskip keys of skip (and nulls), as canonical JSON: compact,
 * keys sorted, ASCII only; exactly what json_dumps() writes for them. *out owns: free(). */
char *ap_import__attrs(const json_t *obj, const char *const *skip, size_t nskip);
/* Append "key":value to the attributes text being written at *p (which starts with '{'): s
 * between quotes (quoted) or bare (true, false), after a ',' unless it is the first; key and s
 * plain. 0 when it does not fit before end with room left for "}" and its NUL. */
int ap_import__attr_put(char **p, const char *end, const char *key, size_t klen, const char *s,
                        size_t len, int quoted);
/* Text jansson writes unchanged between quotes under JSON_ENSURE_ASCII: printable ASCII
 * without '"' or '\\' (and so without NUL). Anything else (other UTF-8, which must be
 * checked; control characters, which attributes escape) takes the generic path. */
int ap_import__plain(const char *s, size_t len);
/* What a node's or edge's known attributes set besides its attrs text. */
typedef struct {
    ap_state state;
    int64_t valid_from, expires;
    ap_sensitivity sensitivity;
} ap_lifecycle;
/* For readers that check text without a jansson object (csv_fast.c): the index of attribute
 * name among docs/design.md's known attributes, or -1 when it is not one; and whether text s is
 * a valid value of known attribute `known` (0 for one that is not text: a boolean, a scope),
 * setting what it sets in lc. Says nothing about what is wrong: the generic path does. */
int ap_import__known_attr(const char *name);
int ap_import__attr_text(int known, const char *s, ap_lifecycle *lc);
/* Stage a checked node and count it: a repeated id is an input error reported at id_place
 * (AP_EINPUT), any other failure is err's. */
int ap_import__stage_node(ap_import_ctx *ctx, const ap_place *id_place, const ap_node_rec *rec,
                          ap_error *err);
/* Validate and stage a whole native document, or one part of it. */
int ap_import__native_doc(ap_import_ctx *ctx, const json_t *doc, ap_error *err);
int ap_import__native_rights(ap_import_ctx *ctx, const json_t *list, ap_error *err);
int ap_import__native_node(ap_import_ctx *ctx, size_t index, const json_t *obj, ap_error *err);
int ap_import__native_edge(ap_import_ctx *ctx, size_t index, const json_t *obj, ap_error *err);

/* The readers: each parses one file's text and feeds native.c. AP_EINPUT for syntax errors
 * (recorded through ap_import__fail or directly in err with the position). */
int ap_import__json(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__yaml(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__csv(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
/* How much libcsv grows a field's buffer at a time (csv_set_blk_size; its default is 128). */
#define AP_CSV_BLOCK ((size_t)1 << 20)

/* Foreign formats (JSON only): each stages through ap_import__native_node/edge so validation
 * and provenance stay uniform. OpenGraph resolves edges across files when the import ends. */
int ap_import__aws_iam(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__opengraph(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__opengraph_finish(ap_import_ctx *ctx, ap_error *err);
/* --map FILE: *nodes and *edges (each NULL when the map has no such section) map foreign kinds
 * to authpath kind names, checked; errors name the map's line and column. */
int ap_import__og_map_load(json_t **nodes, json_t **edges, const char *path, ap_error *err);
void ap_import__opengraph_free(ap_import_ctx *ctx);
/* Kubernetes RBAC (k8s.c, k8s_model.c): kubectl Lists and manifests, JSON or YAML (detect.c
 * routes them). Each file's objects are kept; the model is built and staged once the import's
 * last file is read, so bindings find roles in any file. */
int ap_import__k8s(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__k8s_finish(ap_import_ctx *ctx, ap_error *err);
void ap_import__k8s_free(ap_import_ctx *ctx);
/* Microsoft Graph / Entra ID JSON (docs/sources/msgraph.md): objects wait until the import ends,
 * when third-party apps' owners become partners and everything is staged. */
int ap_import__msgraph(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
int ap_import__msgraph_finish(ap_import_ctx *ctx, ap_error *err);
void ap_import__msgraph_free(ap_import_ctx *ctx);
/* Known vendors' AWS accounts (fwdcloudsec known_aws_accounts YAML): *out owns an object
 * mapping each 12-digit account id to its vendor's name. */
int ap_import__aws_vendors(json_t **out, const char *path, ap_error *err);

/* ---- detect.c: which reader a file goes to ---- */
typedef enum { AP_SYNTAX_JSON, AP_SYNTAX_YAML, AP_SYNTAX_CSV } ap_syntax;
/* A reader: parses one file's text and stages what it finds (AP_EINPUT for input errors). */
typedef int (*ap_reader_fn)(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err);
/* The syntax of a text, from its first characters and first line. */
ap_syntax ap_import__syntax(const char *text, size_t len);
/* The reader for a file's text: by its shape (format AP_FORMAT_AUTO), or the one --as names.
 * A document no reader takes is AP_EINPUT at its first value, naming what it looks like (a
 * Kubernetes List of Role, Microsoft Graph servicePrincipals...) and the formats authpath
 * reads; JSON that does not parse is reported as the readers report it. */
int ap_import__detect(ap_reader_fn *out, ap_format format, const char *path, const char *text,
                      size_t len, ap_error *err);

/* ---- observed use (usage.c): shape and import ---- */
/* Does a text (or its start) look like runtime events: CloudTrail records, lookup-events
 * output, Kubernetes audit events, the native event form? what (when not NULL) names it. */
bool ap_import__usage_text(const char *text, size_t len, char *what, size_t size);
/* The same for a file, from its first 64 KiB. */
bool ap_import__usage_file(const char *path);
/* An import of observed use (see ap_import_files). */
int ap_import__usage(ap_store *st, const char *const *paths, size_t n,
                     const ap_import_opts *opts, int64_t *snap, ap_error *err);

/* ---- encoding.c: the text readers see ---- */
/* UTF-8 text from a file's bytes: a UTF-8 byte order mark skipped; UTF-16 with a byte order mark
 * (LE or BE: PowerShell's default) decoded with iconv into *owned (free() it; NULL when the text
 * is used in place). Invalid UTF-16 is AP_EINPUT at the line and column of the text decoded so
 * far. *text and *len are updated. */
int ap_import__decode(char **owned, const char **text, size_t *len, const char *path,
                      ap_error *err);
/* A compressed file (gzip, as CloudTrail delivers its logs; zip) is refused naming what it is:
 * readers take text. AP_OK when head[0, n) starts no such file. */
int ap_import__not_compressed(const void *head, size_t n, const char *path, ap_error *err);

/* A recognised construct the reader does not import: counted per (file, what), the first
 * place kept; never silently dropped. */
void ap_import__note(ap_import_ctx *ctx, unsigned line, unsigned col, const char *what);
/* One more node or edge staged: reports progress every AP_IMPORT_PROGRESS_ROWS rows. */
void ap_import__tick(ap_import_ctx *ctx);

/* ---- digest.c: SHA-256 of every imported file, taken from the bytes as they are read ---- */
#define AP_SHA256_HEX (2 * SHA256_DIGEST_SIZE + 1)
typedef struct {
    struct sha256_ctx ctx;
} ap_digest;
void ap_import__digest_init(ap_digest *d);
void ap_import__digest_add(ap_digest *d, const void *data, size_t len);
/* The digest as 64 lower-case hex digits and a NUL; d is spent. */
void ap_import__digest_hex(ap_digest *d, char hex[AP_SHA256_HEX]);

#endif
