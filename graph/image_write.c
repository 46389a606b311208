/* graph/image_write.c: writes the graph image (image_format.h) of a loaded graph or, through
 * image_stage.c, of a first import's stage, and records its token in the database. */
#define _GNU_SOURCE             /* getrandom */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>
#include <unistd.h>

#include "image_format.h"

/* The block table, filled as the sections are written (each starts a new block). */
typedef struct {
    uint64_t *hash;
    size_t n, cap;
    img_hash h;             /* of the block being written */
    size_t in;              /* its bytes so far */
    int failed;
} img_blocks_out;

static void block_end(img_blocks_out *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap != 0 ? b->cap * 2 : 1024;
        uint64_t *p = realloc(b->hash, cap * sizeof *p);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->hash = p;
        b->cap = cap;
    }
    b->hash[b->n++] = hash_final(&b->h);
    hash_init(&b->h);
    b->in = 0;
}

static void block_put(img_blocks_out *b, const uint8_t *p, size_t len)
{
    while (len > 0) {
        size_t take = IMG_BLOCK - b->in < len ? IMG_BLOCK - b->in : len;
        hash_update(&b->h, p, take);
        b->in += take;
        p += take;
        len -= take;
        if (b->in == IMG_BLOCK)
            block_end(b);
    }
}

static void block_flush(img_blocks_out *b)     /* a section ends: so does its last block */
{
    if (b->in > 0)
        block_end(b);
}

typedef struct {
    FILE *f;
    img_head *head;
    int s;                  /* the section being written */
    uint64_t at, split;     /* bytes written into it; where its part 0 ends */
    img_hash h;
    img_blocks_out *blocks;
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
    hash_init(&o->blocks->h);
    o->blocks->in = 0;
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
    block_put(o->blocks, p, len);
    if (len > 0 && fwrite(p, 1, len, o->f) != len)
        o->failed = 1;
    o->at += len;
}

static void end_section(img_out *o)
{
    o->head->hash[o->s][1] = hash_final(&o->h);
    block_flush(o->blocks);
    if (o->at != o->head->len[o->s])
        o->failed = 1;
}

/* Strings are written as the records that point into them are, to their own stream at the
 * strings section's place (every section before it has a length known in advance): one pass
 * over the graph, not three (count, records, strings). A small table shares repeated attrs
 * texts (an expiry date, a note: the texts are compared, the first few thousand kept). */
#define SHARE_SLOTS 8192
typedef struct {
    const char *text[SHARE_SLOTS];  /* borrowed from the source, valid while it is written */
    uint64_t off[SHARE_SLOTS];
    unsigned used;
    uint64_t next;
    FILE *f;                /* at the strings section's start */
    int failed;
} str_plan;

static void plan_put(str_plan *sp, const void *data, size_t len)
{
    if (fwrite(data, 1, len, sp->f) != len)
        sp->failed = 1;
}

static void plan_init(str_plan *sp, FILE *f)
{
    memset(sp->text, 0, sizeof sp->text);
    sp->used = 0;
    sp->next = 4;           /* "{}\0" and "\0" */
    sp->f = f;
    sp->failed = 0;
    plan_put(sp, "{}\0", 4);
}

/* Where string s lies in the strings: shared when `share` and seen before, else appended. */
static uint64_t plan_place(str_plan *sp, const char *s, size_t len, bool share)
{
    unsigned slot = 0;
    uint64_t off;
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
    plan_put(sp, s, len);
    if (share && sp->used < SHARE_SLOTS / 2) {  /* half full at most: probes stay short */
        sp->text[slot] = s;
        sp->off[slot] = off;
        sp->used++;
    }
    return off;
}

/* The offset of string s in the strings; `bit` set in *one when it lies in one block. */
static uint64_t plan_take(str_plan *sp, const char *s, bool share, uint8_t *one, uint8_t bit)
{
    uint64_t off;
    size_t len;
    if (s == NULL || s[0] == '\0')
        off = 3, len = 1;
    else if (s[0] == '{' && s[1] == '}' && s[2] == '\0')
        off = 0, len = 3;
    else
        off = plan_place(sp, s, len = strlen(s) + 1, share);
    if (off / IMG_BLOCK == (off + len - 1) / IMG_BLOCK)
        *one |= bit;
    return off;
}

static void plan_graph(str_plan *sp, const ap_image_src *g, img_out *recs)
{
    for (uint32_t v = 0; v < g->n; v++) {
        ap_node node;
        const ap_node *nd = &node;
        img_node r = {0};
        g->node(g->ctx, v, &node);
        r.id = plan_take(sp, nd->id, false, &r.one_block, IMG_ID_ONE);
        r.attrs = plan_take(sp, nd->attrs, true, &r.one_block, IMG_ATTRS_ONE);
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
    end_section(recs);
    begin_section(recs, S_EDGES, (uint64_t)g->m * sizeof(img_edge), sizeof(img_edge));
    for (uint32_t i = 0; i < g->m; i++) {
        ap_edge edge;
        const ap_edge *e = &edge;
        img_edge r = {0};
        g->edge(g->ctx, i, &edge);
        r.id = plan_take(sp, e->id, false, &r.one_block, IMG_ID_ONE);
        r.attrs = plan_take(sp, e->attrs, true, &r.one_block, IMG_ATTRS_ONE);
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
    end_section(recs);
}

static void put_section(img_out *o, int s, const void *data, uint64_t count, size_t size)
{
    begin_section(o, s, count * size, size);
    put(o, data, (size_t)(count * size));
    end_section(o);
}

/* Each in-edge's tail, in in-edge order (edges are numbered in tail order: the out-rows say
 * each edge's tail). */
static void put_in_from(img_out *o, const ap_image_src *g)
{
    uint32_t *tail = malloc(((size_t)g->m + 1) * sizeof *tail);
    if (tail == NULL) {
        o->failed = 1;
        return;
    }
    for (uint32_t v = 0; v < g->n; v++)
        for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
            tail[e] = v;
    uint32_t *from = malloc(((size_t)g->m + 1) * sizeof *from);
    if (from == NULL) {
        free(tail);
        o->failed = 1;
        return;
    }
    for (uint32_t i = 0; i < g->m; i++)
        from[i] = tail[g->in_edge[i]];
    put_section(o, S_INFROM, from, g->m, sizeof *from);
    free(from);
    free(tail);
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

static uint64_t align_up(uint64_t pos) { return (pos + IMG_ALIGN - 1) / IMG_ALIGN * IMG_ALIGN; }

/* Where the strings section starts: after the sections before it, each aligned, whose lengths
 * the graph's size says. */
static uint64_t strings_at(const ap_image_src *g)
{
    const uint64_t len[S_STRINGS] = {
        (uint64_t)g->n * sizeof(img_node), (uint64_t)g->m * sizeof(img_edge),
        ((uint64_t)g->n + 1) * sizeof *g->off, ((uint64_t)g->n + 1) * sizeof *g->in_off,
        (uint64_t)g->m * sizeof *g->in_edge, (uint64_t)g->m * sizeof *g->in_edge
    };
    uint64_t pos = IMG_HEAD;
    for (int s = 0; s < S_STRINGS; s++)
        pos = align_up(pos) + len[s];
    return align_up(pos);
}

/* The strings section's two hashes and its blocks', read back from the file (its length, and
 * so where its parts meet, is known only once it is written; the pages are still in the page
 * cache). */
static int hash_back(int fd, uint64_t off, uint64_t len, uint64_t hash[IMG_PARTS],
                     img_blocks_out *blocks)
{
    const size_t chunk = (size_t)1 << 20;
    uint64_t split = part_split(len, 1), at = 0;
    uint8_t *buf = malloc(chunk);
    img_hash h;
    if (buf == NULL)
        return -1;
    hash_init(&h);
    hash_init(&blocks->h);
    blocks->in = 0;
    if (split == 0)
        hash[0] = hash_final(&h);
    while (at < len) {
        size_t want = len - at < chunk ? (size_t)(len - at) : chunk;
        if (at < split && at + want > split)
            want = (size_t)(split - at);        /* part 0 ends here */
        ssize_t got = pread(fd, buf, want, (off_t)(off + at));
        if (got <= 0) {
            free(buf);
            return -1;
        }
        hash_update(&h, buf, (size_t)got);
        block_put(blocks, buf, (size_t)got);
        at += (uint64_t)got;
        if (at == split) {
            hash[0] = hash_final(&h);
            hash_init(&h);
        }
    }
    hash[1] = hash_final(&h);
    block_flush(blocks);
    free(buf);
    return 0;
}

/* The block table after the strings (at off, page-aligned) and its two hashes: every section
 * before it must have given its blocks. */
static int put_blocks(int fd, img_head *head, const img_blocks_out *b)
{
    uint64_t want = 0, len = (uint64_t)b->n * sizeof *b->hash, split = part_split(len, 8);
    for (int s = 0; s < S_BLOCKS; s++)
        want += img_blocks(head->len[s]);
    if (b->failed || want != b->n
        || pwrite(fd, b->hash, (size_t)len, (off_t)head->off[S_BLOCKS]) != (ssize_t)len)
        return -1;
    head->len[S_BLOCKS] = len;
    head->hash[S_BLOCKS][0] = hash_of(b->hash, (size_t)split);
    head->hash[S_BLOCKS][1] = hash_of((const uint8_t *)b->hash + split, (size_t)(len - split));
    return 0;
}

int ap_image__write(const ap_image_src *g, const char *path, const uint8_t token[16],
                    ap_error *err)
{
    img_head head = {0};
    img_blocks_out blocks = {0};
    img_out o = {0};
    str_plan *sp = malloc(sizeof *sp);
    FILE *sf = NULL;
    int sfd = -1, rc = AP_OK;
    uint64_t strings_off = strings_at(g);
    /* records are put a few dozen bytes at a time: written 1 MiB at a time, not 4 KiB (glibc
     * takes setvbuf's size only with a buffer of ours: with NULL it keeps st_blksize) */
    const size_t bufsize = (size_t)1 << 20;
    char *buf = malloc(2 * bufsize);
    if (sp == NULL || buf == NULL) {
        free(sp);
        free(buf);
        return ap_error_nomem(err);
    }
    /* the image holds what the database holds: readable by its owner only, as the database */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (o.f = fdopen(fd, "wb")) == NULL
        || (sfd = open(path, O_RDWR | O_CLOEXEC)) < 0 || (sf = fdopen(sfd, "r+b")) == NULL) {
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s': %s", path,
                          strerror(errno));
        if (o.f != NULL)
            fclose(o.f);
        else if (fd >= 0)
            close(fd);
        if (sfd >= 0)
            close(sfd);
        free(sp);
        free(buf);
        unlink(path);
        return rc;
    }
    setvbuf(o.f, buf, _IOFBF, bufsize);
    setvbuf(sf, buf + bufsize, _IOFBF, bufsize);
    o.head = &head;
    o.blocks = &blocks;
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
    /* the records, their strings beside them, in one pass */
    if (fseek(sf, (long)strings_off, SEEK_SET) != 0)
        o.failed = 1;
    plan_init(sp, sf);
    begin_section(&o, S_NODES, (uint64_t)g->n * sizeof(img_node), sizeof(img_node));
    plan_graph(sp, g, &o);
    put_section(&o, S_OUT, g->off, (uint64_t)g->n + 1, sizeof *g->off);
    put_section(&o, S_IN, g->in_off, (uint64_t)g->n + 1, sizeof *g->in_off);
    put_section(&o, S_INEDGE, g->in_edge, g->m, sizeof *g->in_edge);
    put_in_from(&o, g);
    long end = ftell(o.f);
    if (end < 0 || align_up((uint64_t)end) != strings_off)
        o.failed = 1;                   /* strings_at() and the sections disagree: our bug */
    head.off[S_STRINGS] = strings_off;
    head.len[S_STRINGS] = sp->next;
    head.off[S_BLOCKS] = align_up(strings_off + sp->next);
    if (fflush(sf) != 0 || sp->failed
        || hash_back(sfd, strings_off, sp->next, head.hash[S_STRINGS], &blocks) < 0
        || put_blocks(sfd, &head, &blocks) < 0)
        o.failed = 1;
    head.size = head.off[S_BLOCKS] + head.len[S_BLOCKS];
    head.head_hash = hash_of(&head, offsetof(img_head, head_hash));
    if (fseek(o.f, 0, SEEK_SET) != 0 || fwrite(&head, sizeof head, 1, o.f) != 1)
        o.failed = 1;
    if (fflush(o.f) != 0 || o.failed)
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s': %s", path,
                          errno != 0 ? strerror(errno) : "short write");
    int closed = fclose(sf) == 0;
    if ((fclose(o.f) != 0 || !closed) && rc == AP_OK)
        rc = ap_error_set(err, AP_EIO, "cannot write the graph image '%s'", path);
    free(sp);
    free(blocks.hash);
    free(buf);                          /* after fclose: the streams used it until then */
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
