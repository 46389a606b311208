/* graph/image_format.h: the graph image's file format (the header, the records, the section
 * hashes), shared by its writer (image_write.c) and its reader (image_read.c); graph/ only. */
#ifndef AUTHPATH_IMAGE_FORMAT_H
#define AUTHPATH_IMAGE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "graph_internal.h"

/* The file: a header of IMG_HEAD bytes, then the sections, each at a multiple of IMG_ALIGN:
 * node records, edge records (both in graph order), the out-row offsets (n+1 uint32), the
 * in-row offsets (n+1), the in-edges (m), each in-edge's tail (m: a pass backwards reads them
 * in order, ancestry.c) and the strings every record points into by offset
 * ("{}" at 0, "" at 3), then the block table. Each section is hashed in two parts (split at
 * half its elements), so two threads check and convert it at once (a whole load), and in blocks
 * of IMG_BLOCK bytes from its start (the last one short), so a lazy load checks only the blocks
 * it reads: the table holds those hashes, section after section, and is itself hashed in two
 * parts. Everything in host byte order: `endian` and the record sizes tell a foreign file. */
#define IMG_MAGIC "APGRAPH1"
#define IMG_VERSION 3u          /* 2: the in-edges' tails and the block table; 3: one_block */
#define IMG_ENDIAN 0x01020304u
#define IMG_HEAD 4096u
#define IMG_ALIGN 4096u
#define IMG_PARTS 2
#define IMG_SUFFIX "-graph"
#define IMG_BLOCK 4096u         /* a page: the block a record or string lies in is the page read */

enum { S_NODES, S_EDGES, S_OUT, S_IN, S_INEDGE, S_INFROM, S_STRINGS, S_BLOCKS, S_COUNT };

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
    uint8_t one_block;              /* IMG_ID_ONE, IMG_ATTRS_ONE: that string lies in one block */
    uint8_t pad[2];
} img_node;

typedef struct {
    uint64_t id, attrs;
    uint64_t rights, requires;
    int64_t valid_from, expires, file;
    uint32_t from, to, line, col;
    uint8_t kind, state, escalates, declared;
    uint8_t one_block;              /* as img_node's */
    uint8_t pad[3];
} img_edge;

/* A record's one_block bits: its id (attrs) string, NUL included, lies in one IMG_BLOCK, so a
 * lazy load checks that block without scanning the string for its end. */
#define IMG_ID_ONE 1u
#define IMG_ATTRS_ONE 2u

_Static_assert(sizeof(img_head) <= IMG_HEAD, "the header fits its page");
_Static_assert(sizeof(img_node) == 56 && sizeof(img_edge) == 80,
               "records have no hidden padding");

/* Node record r's liveness at `at`. docs/design.md, liveness: a partner's state and contract
 * never stop traversal. */
static inline bool img_node_live(const img_node *r, int64_t at)
{
    return (ap_kind)r->kind == AP_KIND_PARTNER
           || ap_graph__own_live((ap_state)r->state, r->valid_from, r->expires, at);
}

/* Node record r as the graph holds it, liveness at `at` (strings: the image's string area). */
static inline void img_node_get(ap_node *nd, const img_node *r, const char *strings, int64_t at)
{
    nd->id = strings + r->id;
    nd->attrs = strings + r->attrs;
    nd->kind = (ap_kind)r->kind;
    nd->state = (ap_state)r->state;
    nd->valid_from = r->valid_from;
    nd->expires = r->expires;
    nd->sensitivity = (ap_sensitivity)r->sensitivity;
    nd->live = img_node_live(r, at);
    nd->file = r->file;
    nd->line = r->line;
    nd->col = r->col;
}

/* Edge record r likewise; ends_live: both its ends are live at `at`. */
static inline void img_edge_get(ap_edge *e, const img_edge *r, const char *strings, int64_t at,
                                bool ends_live)
{
    e->id = strings + r->id;
    e->attrs = strings + r->attrs;
    e->rights = r->rights;
    e->requires = r->requires;
    e->valid_from = r->valid_from;
    e->expires = r->expires;
    e->file = r->file;
    e->from = r->from;
    e->to = r->to;
    e->line = r->line;
    e->col = r->col;
    e->kind = r->kind;
    e->state = r->state;
    e->escalates = r->escalates != 0;
    e->declared = r->declared != 0;
    e->traversable = e->kind != AP_EDGE_DEPENDS_ON;
    e->own_live = ap_graph__own_live((ap_state)e->state, e->valid_from, e->expires, at);
    e->live = e->own_live && ends_live;
}

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

static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static inline uint64_t mix_round(uint64_t acc, uint64_t in) { return rotl(acc + in * H2, 31) * H1; }

static inline void hash_init(img_hash *h)
{
    h->v[0] = H1 + H2;
    h->v[1] = H2;
    h->v[2] = 0;
    h->v[3] = 0 - H1;
    h->total = 0;
    h->nbuf = 0;
}

static inline void hash_blocks(img_hash *h, const uint8_t *p, size_t blocks)
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

static inline void hash_update(img_hash *h, const void *data, size_t len)
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

static inline uint64_t hash_final(const img_hash *h)
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

static inline uint64_t hash_of(const void *data, size_t len)
{
    img_hash h;
    hash_init(&h);
    hash_update(&h, data, len);
    return hash_final(&h);
}

/* How many blocks a section of len bytes has. */
static inline uint64_t img_blocks(uint64_t len) { return (len + IMG_BLOCK - 1) / IMG_BLOCK; }

/* Where part 0 of a section of count elements of size bytes ends (in bytes). */
static inline uint64_t part_split(uint64_t len, size_t size) { return len / size / 2 * size; }

#endif
