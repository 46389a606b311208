/* graph/image.c: the graph image: a snapshot's graph written beside the database at import
 * (DB-graph) and read on open instead of its SQL rows, used only when every check holds. */
#define _GNU_SOURCE             /* getrandom, madvise */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph_internal.h"

/* The file: a header of IMG_HEAD bytes, then the sections, each at a multiple of IMG_ALIGN:
 * node records, edge records (both in graph order), the out-row offsets (n+1 uint32), the
 * in-row offsets (n+1), the in-edges (m) and the strings every record points into by offset
 * ("{}" at 0, "" at 3). Each section is hashed in two parts (split at half its elements), so
 * two threads check and convert it at once. Everything in host byte order: `endian` and the
 * record sizes tell a foreign file. */
#define IMG_MAGIC "APGRAPH1"
#define IMG_VERSION 1u
#define IMG_ENDIAN 0x01020304u
#define IMG_HEAD 4096u
#define IMG_ALIGN 4096u
#define IMG_PARTS 2
#define IMG_SUFFIX "-graph"

enum { S_NODES, S_EDGES, S_OUT, S_IN, S_INEDGE, S_STRINGS, S_COUNT };

typedef struct {
    char magic[8];
    uint32_t version, endian, node_size, edge_size;
    uint8_t token[16];              /* also in the database's graph_image row for snap */
    int64_t snap;
    uint32_t n, m;
    uint64_t size;                  /* of the whole file */
    uint64_t off[S_COUNT], len[S_COUNT];
    uint64_t hash[S_COUNT][IMG_PARTS];
    uint64_t head_hash;             /* of every byte above it */
} img_head;

typedef struct {
    uint64_t id, attrs;             /* offsets into the strings */
    int64_t valid_from, expires, file;
    uint32_t line, col;
    int16_t kind, state;            /* as the rows hold them */
    int8_t sensitivity;
    uint8_t pad[3];
} img_node;

typedef struct {
    uint64_t id, attrs;
    uint64_t rights, requires;
    int64_t valid_from, expires, file;
    uint32_t from, to, line, col;
    uint8_t kind, state, escalates, declared;
    uint8_t pad[4];
} img_edge;

_Static_assert(sizeof(img_head) <= IMG_HEAD, "the header fits its page");
_Static_assert(sizeof(img_node) == 56 && sizeof(img_edge) == 80,
               "records have no hidden padding");

/* ---- A streaming 64-bit hash (xxHash64's rounds): corruption, not an adversary ---- */

#define H1 11400714785074694791ull
#define H2 14029467366897019727ull
#define H3 1609587929392839161ull
#define H4 9650029242287828579ull

typedef struct {
    uint64_t v[4], total;
    uint8_t buf[32];
    size_t nbuf;
} img_hash;

static uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static uint64_t mix_round(uint64_t acc, uint64_t in) { return rotl(acc + in * H2, 31) * H1; }

static void hash_init(img_hash *h)
{
    h->v[0] = H1 + H2;
    h->v[1] = H2;
    h->v[2] = 0;
    h->v[3] = 0 - H1;
    h->total = 0;
    h->nbuf = 0;
}

static void hash_blocks(img_hash *h, const uint8_t *p, size_t blocks)
{
    uint64_t v0 = h->v[0], v1 = h->v[1], v2 = h->v[2], v3 = h->v[3], w[4];
    for (size_t b = 0; b < blocks; b++, p += 32) {
        memcpy(w, p, 32);
        v0 = mix_round(v0, w[0]);
        v1 = mix_round(v1, w[1]);
        v2 = mix_round(v2, w[2]);
        v3 = mix_round(v3, w[3]);
    }
    h->v[0] = v0;
    h->v[1] = v1;
    h->v[2] = v2;
    h->v[3] = v3;
}

static void hash_update(img_hash *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    h->total += len;
    if (h->nbuf > 0) {
        size_t take = 32 - h->nbuf < len ? 32 - h->nbuf : len;
        memcpy(h->buf + h->nbuf, p, take);
        h->nbuf += take;
        p += take;
        len -= take;
        if (h->nbuf < 32)
            return;
        hash_blocks(h, h->buf, 1);
        h->nbuf = 0;
    }
    hash_blocks(h, p, len / 32);
    p += len / 32 * 32;
    memcpy(h->buf, p, len % 32);
    h->nbuf = len % 32;
}

static uint64_t hash_final(const img_hash *h)
{
    uint64_t x = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
    x += h->total;
    for (size_t i = 0; i < h->nbuf; i++)
        x = rotl(x ^ h->buf[i] * H3, 11) * H1;
    x ^= x >> 33;
    x *= H2;
    x ^= x >> 29;
    x *= H4;
    return x ^ x >> 32;
}

static uint64_t hash_of(const void *data, size_t len)
{
    img_hash h;
    hash_init(&h);
    hash_update(&h, data, len);
    return hash_final(&h);
}

/* Where part 0 of a section of count elements of size bytes ends (in bytes). */
static uint64_t part_split(uint64_t len, size_t size) { return len / size / 2 * size; }

/* ---- Writing ---- */

typedef struct {
    FILE *f;
    img_head *head;
    int s;                  /* the section being written */
    uint64_t at, split;     /* bytes written into it; where its part 0 ends */
    img_hash h;
    int failed;
} img_out;

static void pad_to(img_out *o, uint64_t pos)
{
    static const uint8_t zero[IMG_ALIGN];
    long now = ftell(o->f);
    if (now < 0 || (uint64_t)now > pos
        || fwrite(zero, 1, (size_t)(pos - (uint64_t)now), o->f) != pos - (uint64_t)now)
        o->failed = 1;
}

static void begin_section(img_out *o, int s, uint64_t len, size_t size)
{
    long now = ftell(o->f);
    uint64_t pos = now < 0 ? 0 : ((uint64_t)now + IMG_ALIGN - 1) / IMG_ALIGN * IMG_ALIGN;
    pad_to(o, pos);
    o->s = s;
    o->at = 0;
    o->split = part_split(len, size);
    o->head->off[s] = pos;
    o->head->len[s] = len;
    hash_init(&o->h);
    if (o->split == 0)                  /* part 0 is empty */
        o->head->hash[s][0] = hash_final(&o->h);
}

static void put(img_out *o, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (o->at < o->split && o->at + len >= o->split) {     /* part 0 ends inside */
        size_t first = (size_t)(o->split - o->at);
        hash_update(&o->h, p, first);
        o->head->hash[o->s][0] = hash_final(&o->h);
        hash_init(&o->h);
        hash_update(&o->h, p + first, len - first);
    } else {
        hash_update(&o->h, p, len);
    }
    if (len > 0 && fwrite(p, 1, len, o->f) != len)
        o->failed = 1;
    o->at += len;
}

static void end_section(img_out *o)
{
    o->head->hash[o->s][1] = hash_final(&o->h);
    if (o->at != o->head->len[o->s])
        o->failed = 1;
}

/* Strings are laid out twice in the same order: once to give each record its offsets, once
 * to write them. A small table shares repeated attrs texts (an expiry date, a note: the texts
 * are compared, the first few thousand kept); both passes make the same choices, so the
 * offsets agree. */
#define SHARE_SLOTS 8192
typedef struct {
    const char *text[SHARE_SLOTS];  /* borrowed from the source, valid while it is written */
    uint64_t off[SHARE_SLOTS];
    unsigned used;
    uint64_t next;
    img_out *out;           /* NULL: only count */
} str_plan;

static void plan_init(str_plan *sp, img_out *out)
{
    memset(sp->text, 0, sizeof sp->text);
    sp->used = 0;
    sp->next = 4;           /* "{}\0" and "\0" */
    sp->out = out;
    if (out != NULL)
        put(out, "{}\0", 4);
}

static uint64_t plan_take(str_plan *sp, const char *s, bool share)
{
    unsigned slot = 0;
    uint64_t off;
    size_t len;
    if (s == NULL || s[0] == '\0')
        return 3;
    if (s[0] == '{' && s[1] == '}' && s[2] == '\0')
        return 0;
    len = strlen(s) + 1;
    if (share) {
        uint32_t h = 2166136261u;           /* FNV-1a */
        for (size_t k = 0; k + 1 < len; k++)
            h = (h ^ (uint8_t)s[k]) * 16777619u;
        for (slot = h & (SHARE_SLOTS - 1); sp->text[slot] != NULL;
             slot = (slot + 1) & (SHARE_SLOTS - 1))
            if (strcmp(sp->text[slot], s) == 0)
                return sp->off[slot];
    }
    off = sp->next;
    sp->next += len;
    if (sp->out != NULL)
        put(sp->out, s, len);
    if (share && sp->used < SHARE_SLOTS / 2) {  /* half full at most: probes stay short */
        sp->text[slot] = s;
        sp->off[slot] = off;
        sp->used++;
    }
    return off;
}

static void plan_graph(str_plan *sp, const ap_image_src *g, img_out *recs)
{
    for (uint32_t v = 0; v < g->n; v++) {
        ap_node node;
        const ap_node *nd = &node;
        img_node r = {0};
        g->node(g->ctx, v, &node);
        r.id = plan_take(sp, nd->id, false);
        r.attrs = plan_take(sp, nd->attrs, true);
        if (recs == NULL)
            continue;
        r.valid_from = nd->valid_from;
        r.expires = nd->expires;
        r.file = nd->file;
        r.line = nd->line;
        r.col = nd->col;
        r.kind = (int16_t)nd->kind;
        r.state = (int16_t)nd->state;
        r.sensitivity = (int8_t)nd->sensitivity;
        put(recs, &r, sizeof r);
    }
    if (recs != NULL) {
        end_section(recs);
        begin_section(recs, S_EDGES, (uint64_t)g->m * sizeof(img_edge), sizeof(img_edge));
    }
    for (uint32_t i = 0; i < g->m; i++) {
        ap_edge edge;
        const ap_edge *e = &edge;
        img_edge r = {0};
        g->edge(g->ctx, i, &edge);
        r.id = plan_take(sp, e->id, false);
        r.attrs = plan_take(sp, e->attrs, true);
        if (recs == NULL)
            continue;
        r.rights = e->rights;
        r.requires = e->requires;
        r.valid_from = e->valid_from;
        r.expires = e->expires;
        r.file = e->file;
        r.from = e->from;
        r.to = e->to;
        r.line = e->line;
        r.col = e->col;
        r.kind = e->kind;
        r.state = e->state;
        r.escalates = e->escalates;
        r.declared = e->declared;
        put(recs, &r, sizeof r);
    }
    if (recs != NULL)
        end_section(recs);
}

static void put_section(img_out *o, int s, const void *data, uint64_t count, size_t size)
{
    begin_section(o, s, count * size, size);
    put(o, data, (size_t)(count * size));
    end_section(o);
}

/* The image's path: the database's with IMG_SUFFIX; NULL for an in-memory database. */
static char *image_path(const ap_store *st, const char *suffix)
{
    const char *db = sqlite3_db_filename(st->db, "main");
    char *path;
    if (db == NULL || db[0] == '\0')
        return NULL;
    if ((path = malloc(strlen(db) + strlen(IMG_SUFFIX) + strlen(suffix) + 1)) != NULL)
        sprintf(path, "%s%s%s", db, IMG_SUFFIX, suffix);
    return path;
}

int ap_image__write(const ap_image_src *g, const char *path, const uint8_t token[16],
                    ap_error *err)
{
    img_head head = {0};
    img_out o = {0};
    str_plan *sp = malloc(sizeof *sp);
    int rc = AP_OK;
    if (sp == NULL)
        return ap_error_nomem(err);
    /* the image holds what the database holds: readable by its owner only, as the database */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (o.f = fdopen(fd, "wb")) == NULL) {
        if (fd >= 0)
            close(fd);
        free(sp);
        return ap_error_set(err, AP_EIO, "cannot write the graph image '%s': %s", path,
                            strerror(errno));
    }
    o.head = &head;
    memcpy(head.magic, IMG_MAGIC, 8);
    head.version = IMG_VERSION;
    head.endian = IMG_ENDIAN;
    head.node_size = sizeof(img_node);
    head.edge_size = sizeof(img_edge);
    memcpy(head.token, token, 16);
    head.snap = g->snap;
    head.n = g->n;
    head.m = g->m;
    pad_to(&o, IMG_HEAD);
    plan_init(sp, NULL);                /* count the strings: their section's length */
    plan_graph(sp, g, NULL);
    uint64_t strings_len = sp->next;
    plan_init(sp, NULL);                /* the records, with the offsets */
    begin_section(&o, S_NODES, (uint64_t)g->n * sizeof(img_node), sizeof(img_node));
    plan_graph(sp, g, &o);
    put_section(&o, S_OUT, g->off, (uint64_t)g->n + 1, sizeof *g->off);
    put_section(&o, S_IN, g->in_off, (uint64_t)g->n + 1, sizeof *g->in_off);
    put_section(&o, S_INEDGE, g->in_edge, g->m, sizeof *g->in_edge);
    begin_section(&o, S_STRINGS, strings_len, 1);
    plan_init(sp, &o);                  /* the strings themselves */
    plan_graph(sp, g, NULL);
    end_section(&o);
    long size = ftell(o.f);
    head.size = size < 0 ? 0 : (uint64_t)size;
    head.head_hash = hash_of(&head, offsetof(img_head, head_hash));
    if (fseek(o.f, 0, SEEK_SET) != 0 || fwrite(&head, sizeof head, 1, o.f) != 1)
        o.failed = 1;
    if (fflush(o.f) != 0 || o.failed || sp->next != strings_len)
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s': %s", path,
                          errno != 0 ? strerror(errno) : "short write");
    if (fclose(o.f) != 0 && rc == AP_OK)
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s'", path);
    free(sp);
    if (rc < 0)
        unlink(path);
    return rc;
}

static void graph_node(const void *ctx, uint32_t v, ap_node *out)
{
    *out = ((const ap_graph *)ctx)->nodes[v];
}

static void graph_edge(const void *ctx, uint32_t i, ap_edge *out)
{
    *out = ((const ap_graph *)ctx)->edges[i];
}

int ap_graph__write_image(const ap_graph *g, const char *path, const uint8_t token[16],
                          ap_error *err)
{
    const ap_image_src src = {g->snap, g->n, g->m, g->off, g->in_off, g->in_edge,
                              graph_node, graph_edge, g};
    return ap_image__write(&src, path, token, err);
}

char *ap_image__path(const ap_store *st, const char *suffix) { return image_path(st, suffix); }

int ap_image__record(ap_store *st, int64_t snap, const uint8_t token[16], ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if ((rc = ap_store__exec(st, "CREATE TABLE IF NOT EXISTS graph_image("
                             "snap INTEGER PRIMARY KEY, token BLOB NOT NULL);"
                             " DELETE FROM graph_image", err)) < 0
        || (rc = ap_store__prepare(st, &stmt, "INSERT INTO graph_image(snap, token)"
                                              " VALUES (?1, ?2)", err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, snap);
    sqlite3_bind_blob(stmt, 2, token, 16, SQLITE_STATIC);
    rc = sqlite3_step(stmt) == SQLITE_DONE
         ? AP_OK : ap_store__sqlerr(err, st->db, AP_EIO, "recording the graph image");
    sqlite3_finalize(stmt);
    return rc;
}

int ap_store__write_image(ap_store *st, int64_t snap, ap_error *err)
{
    const ap_load_opts opts = {2, 1u << 16, false};
    ap_graph *g = NULL;
    uint8_t token[16];
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp%ld", (long)getpid());    /* two imports: two files */
    char *tmp = image_path(st, suffix), *path = image_path(st, "");
    int rc;
    if (tmp == NULL || path == NULL) {
        rc = path == NULL && tmp == NULL ? AP_OK : ap_error_nomem(err);
        goto cleanup;
    }
    if (getrandom(token, sizeof token, 0) != (ssize_t)sizeof token) {
        rc = ap_error_set(err, AP_EIO, "no random token for the graph image");
        goto cleanup;
    }
    /* the file first, then the row naming its token: a reader between the two finds the old
     * row and a new file that does not match it, and reads the rows */
    if ((rc = ap_graph__load(&g, st, snap, 0, &opts, err)) < 0
        || (rc = ap_graph__write_image(g, tmp, token, err)) < 0)
        goto cleanup;
    if (rename(tmp, path) != 0) {
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s': %s", path,
                          strerror(errno));
        goto cleanup;
    }
    if ((rc = ap_store__exec(st, "BEGIN IMMEDIATE", err)) < 0)
        goto cleanup;
    if ((rc = ap_image__record(st, snap, token, err)) == AP_OK
        && (rc = ap_store__exec(st, "COMMIT", err)) == AP_OK)
        goto cleanup;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
cleanup:
    if (tmp != NULL)
        unlink(tmp);
    ap_graph_free(g);
    free(tmp);
    free(path);
    return rc;
}

/* ---- Reading ---- */

/* The records are read with pread() in chunks through a buffer of each reader's own (not
 * through the mapping: pages read once need not stay in the process); only the strings are
 * used in place, and only the pages of those a query prints are ever read again. */
#define CHUNK_RECS 32768u

typedef struct {
    ap_graph *g;
    int fd;
    const uint8_t *map;
    const img_head *head;
    int part;
    uint8_t *buf;           /* CHUNK_RECS edge records (the largest kind): 2.5 MiB */
    bool bad;               /* a hash or a field did not hold */
    const char *what;       /* which */
} img_job;

static bool fail_job(img_job *j, const char *what)
{
    j->bad = true;
    j->what = what;
    return false;
}

/* Part p of section s, elements of size bytes: each chunk hashed and handed to fn (its first
 * element's index, the chunk, how many elements); false when a read, fn or the hash fails. */
static bool read_part(img_job *j, int s, int p, size_t size,
                      bool (*fn)(img_job *j, uint64_t first, const uint8_t *chunk, size_t count))
{
    uint64_t split = part_split(j->head->len[s], size);
    uint64_t lo = p == 0 ? 0 : split, hi = p == 0 ? split : j->head->len[s];
    img_hash h;
    hash_init(&h);
    for (uint64_t at = lo; at < hi;) {
        const size_t most = CHUNK_RECS * sizeof(img_edge) / size * size;  /* whole elements */
        size_t want = hi - at < most ? (size_t)(hi - at) : most;
        ssize_t got = pread(j->fd, j->buf, want, (off_t)(j->head->off[s] + at));
        if (got != (ssize_t)want)
            return fail_job(j, "it cannot be read");
        hash_update(&h, j->buf, want);
        if (fn != NULL && !fn(j, at / size, j->buf, want / size))
            return false;
        at += want;
    }
    if (hash_final(&h) != j->head->hash[s][p])
        return fail_job(j, "a checksum does not match");
    return true;
}

static const char *strings_of(const img_job *j)
{
    return (const char *)j->map + j->head->off[S_STRINGS];
}

static bool put_nodes(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    ap_graph *g = j->g;
    const char *strings = strings_of(j);
    uint64_t slen = j->head->len[S_STRINGS];
    for (size_t k = 0; k < count; k++) {
        img_node r;
        ap_node *nd = &g->nodes[first + k];
        memcpy(&r, chunk + k * sizeof r, sizeof r);
        if (r.id >= slen || r.attrs >= slen)
            return fail_job(j, "a node names a string outside the image");
        nd->id = strings + r.id;
        nd->attrs = strings + r.attrs;
        nd->kind = (ap_kind)r.kind;
        nd->state = (ap_state)r.state;
        nd->valid_from = r.valid_from;
        nd->expires = r.expires;
        nd->sensitivity = (ap_sensitivity)r.sensitivity;
        /* docs/design.md, liveness: a partner's state and contract never stop traversal */
        nd->live = nd->kind == AP_KIND_PARTNER
                   || ap_graph__own_live(nd->state, nd->valid_from, nd->expires, g->at);
        nd->file = r.file;
        nd->line = r.line;
        nd->col = r.col;
    }
    return true;
}

static bool put_edges(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    ap_graph *g = j->g;
    const char *strings = strings_of(j);
    uint64_t slen = j->head->len[S_STRINGS];
    for (size_t k = 0; k < count; k++) {
        img_edge r;
        ap_edge *e = &g->edges[first + k];
        memcpy(&r, chunk + k * sizeof r, sizeof r);
        if (r.id >= slen || r.attrs >= slen || r.from >= g->n || r.to >= g->n)
            return fail_job(j, "an edge names a node or string outside the image");
        e->id = strings + r.id;
        e->attrs = strings + r.attrs;
        e->rights = r.rights;
        e->requires = r.requires;
        e->valid_from = r.valid_from;
        e->expires = r.expires;
        e->file = r.file;
        e->from = r.from;
        e->to = r.to;
        e->line = r.line;
        e->col = r.col;
        e->kind = r.kind;
        e->state = r.state;
        e->escalates = r.escalates != 0;
        e->declared = r.declared != 0;
        e->traversable = e->kind != AP_EDGE_DEPENDS_ON;
        e->own_live = ap_graph__own_live((ap_state)e->state, e->valid_from, e->expires, g->at);
        e->live = e->own_live && g->nodes[e->from].live && g->nodes[e->to].live;
    }
    return true;
}

static uint32_t *row_dest(img_job *j, int s)
{
    return s == S_OUT ? j->g->off : s == S_IN ? j->g->in_off : j->g->in_edge;
}

static bool put_out(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    memcpy(row_dest(j, S_OUT) + first, chunk, count * sizeof(uint32_t));
    return true;
}

static bool put_in(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    memcpy(row_dest(j, S_IN) + first, chunk, count * sizeof(uint32_t));
    return true;
}

static bool put_in_edges(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    memcpy(row_dest(j, S_INEDGE) + first, chunk, count * sizeof(uint32_t));
    return true;
}

static bool offset_rows_ok(const uint32_t *off, uint32_t n, uint32_t m)
{
    if (off[0] != 0 || off[n] != m)
        return false;
    for (uint32_t v = 0; v < n; v++)
        if (off[v] > off[v + 1])
            return false;
    return true;
}

/* Phase one: the nodes, the rows and in-edges (part 0) while the strings are checked (1). */
static void *phase_one(void *arg)
{
    img_job *j = arg;
    ap_graph *g = j->g;
    if (j->part == 1) {
        for (int p = 0; p < IMG_PARTS; p++)
            if (!read_part(j, S_STRINGS, p, 1, NULL))
                return NULL;
        return NULL;
    }
    for (int p = 0; p < IMG_PARTS; p++)
        if (!read_part(j, S_NODES, p, sizeof(img_node), put_nodes)
            || !read_part(j, S_OUT, p, sizeof(uint32_t), put_out)
            || !read_part(j, S_IN, p, sizeof(uint32_t), put_in)
            || !read_part(j, S_INEDGE, p, sizeof(uint32_t), put_in_edges))
            return NULL;
    if (!offset_rows_ok(g->off, g->n, g->m) || !offset_rows_ok(g->in_off, g->n, g->m)) {
        fail_job(j, "its row offsets are not in order");
        return NULL;
    }
    for (uint32_t i = 0; i < g->m; i++)
        if (g->in_edge[i] >= g->m) {
            fail_job(j, "an in-edge is out of range");
            return NULL;
        }
    return NULL;
}

/* Phase two: part j->part of the edges, with their liveness at g->at. */
static void *phase_two(void *arg)
{
    img_job *j = arg;
    read_part(j, S_EDGES, j->part, sizeof(img_edge), put_edges);
    return NULL;
}

/* Run fn on both parts, the second on a thread when one can be had. */
static bool run_parts(void *(*fn)(void *), img_job jobs[IMG_PARTS], const char **what)
{
    pthread_t t;
    bool threaded = pthread_create(&t, NULL, fn, &jobs[1]) == 0;
    fn(&jobs[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        fn(&jobs[1]);
    for (int p = 0; p < IMG_PARTS; p++)
        if (jobs[p].bad) {
            *what = jobs[p].what;
            return false;
        }
    return true;
}

/* The header's own checks: ours, this snapshot's, whole, sections in the file. */
static const char *head_problem(const img_head *h, uint64_t size, int64_t snap,
                                const uint8_t token[16])
{
    if (memcmp(h->magic, IMG_MAGIC, 8) != 0 || h->version != IMG_VERSION
        || h->endian != IMG_ENDIAN || h->node_size != sizeof(img_node)
        || h->edge_size != sizeof(img_edge))
        return "it is not a graph image of this version";
    if (hash_of(h, offsetof(img_head, head_hash)) != h->head_hash)
        return "its header checksum does not match";
    if (h->snap != snap || memcmp(h->token, token, 16) != 0)
        return "it was written for another import (stale or foreign)";
    if (h->size != size)
        return "its size is not the size it was written with";
    const uint64_t want[S_COUNT] = {
        (uint64_t)h->n * sizeof(img_node), (uint64_t)h->m * sizeof(img_edge),
        ((uint64_t)h->n + 1) * 4, ((uint64_t)h->n + 1) * 4, (uint64_t)h->m * 4, 0 };
    for (int s = 0; s < S_COUNT; s++)
        if (h->off[s] < IMG_HEAD || h->off[s] % IMG_ALIGN != 0 || h->off[s] > size
            || h->len[s] > size - h->off[s] || (s != S_STRINGS && h->len[s] != want[s]))
            return "its sections do not fit the file";
    if (h->n == UINT32_MAX || h->m == UINT32_MAX || h->len[S_STRINGS] < 4)
        return "its sections do not fit the file";
    return NULL;
}

/* The token the database records for snap's image; false when it records none. */
static bool recorded_token(const ap_store *st, int64_t snap, uint8_t token[16])
{
    sqlite3_stmt *stmt = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT token FROM graph_image WHERE snap = ?1", -1, &stmt,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return false;
    }
    sqlite3_bind_int64(stmt, 1, snap);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == 16) {
        memcpy(token, sqlite3_column_blob(stmt, 0), 16);
        found = true;
    }
    sqlite3_finalize(stmt);
    return found;
}

int ap_graph__open_image(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                         char *why, size_t whylen, ap_error *err)
{
    char *path = image_path(st, "");
    uint8_t token[16];
    struct stat sb;
    const char *problem = NULL;
    void *map = MAP_FAILED;
    ap_graph *g = NULL;
    int fd = -1, rc = 0;
    *out = NULL;
    if (path == NULL) {
        snprintf(why, whylen, "an in-memory database has no graph image");
        return 0;
    }
    if (!recorded_token(st, snap, token)) {
        snprintf(why, whylen, "the database records no graph image of snapshot %lld",
                 (long long)snap);
        goto cleanup;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, whylen, "cannot read the graph image '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    if ((uint64_t)sb.st_size < IMG_HEAD
        || (map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        problem = (uint64_t)sb.st_size < IMG_HEAD ? "it is shorter than its header"
                                                  : "it cannot be mapped";
        goto unusable;
    }
    const img_head *h = map;
    if ((problem = head_problem(h, (uint64_t)sb.st_size, snap, token)) != NULL)
        goto unusable;
    if (((const char *)map)[h->off[S_STRINGS] + h->len[S_STRINGS] - 1] != '\0') {
        problem = "its strings do not end";
        goto unusable;
    }
    madvise(map, (size_t)sb.st_size, MADV_RANDOM);    /* strings: read where printed */
    if ((g = calloc(1, sizeof *g)) == NULL
        || (g->nodes = ap_graph__big((size_t)h->n + 1, sizeof *g->nodes)) == NULL
        || (g->edges = ap_graph__big((size_t)h->m + 1, sizeof *g->edges)) == NULL
        || (g->off = ap_graph__big((size_t)h->n + 1, sizeof *g->off)) == NULL
        || (g->in_off = ap_graph__big((size_t)h->n + 1, sizeof *g->in_off)) == NULL
        || (g->in_edge = ap_graph__big((size_t)h->m + 1, sizeof *g->in_edge)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    g->snap = snap;
    g->at = at;
    g->n = h->n;
    g->m = h->m;
    img_job jobs[IMG_PARTS] = {{g, fd, map, h, 0, NULL, false, NULL},
                               {g, fd, map, h, 1, NULL, false, NULL}};
    if ((jobs[0].buf = malloc(CHUNK_RECS * sizeof(img_edge))) == NULL
        || (jobs[1].buf = malloc(CHUNK_RECS * sizeof(img_edge))) == NULL) {
        free(jobs[0].buf);
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    bool usable = run_parts(phase_one, jobs, &problem) && run_parts(phase_two, jobs, &problem);
    free(jobs[0].buf);
    free(jobs[1].buf);
    if (!usable)
        goto unusable;
    g->image = map;
    g->image_len = (size_t)sb.st_size;
    map = MAP_FAILED;
    snprintf(g->load_note, sizeof g->load_note, "the graph image '%s'", path);
    *out = g;
    g = NULL;
    rc = 1;
    goto cleanup;
unusable:
    snprintf(why, whylen, "the graph image '%s' is not used: %s", path, problem);
cleanup:
    ap_graph_free(g);
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}
