/* graph/image_read.c: loads a graph from its image (image_format.h) when every check holds:
 * two threads read, hash and convert the records (a checked partial load only hashes them, a
 * lazy one leaves them to image_lazy.c); the strings stay mapped. */
#define _GNU_SOURCE             /* madvise */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_format.h"

/* The records are read with pread() in chunks through a buffer of each reader's own (not
 * through the mapping: pages read once need not stay in the process); only the strings are
 * used in place, and only the pages of those a query prints are ever read again. */
#define CHUNK_RECS 32768u
#define READ_AHEAD ((uint64_t)128 << 10)

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

/* A partial load builds no record here: it only checks what put_nodes and put_edges check. */
static bool put_nodes(img_job *j, uint64_t first, const uint8_t *chunk, size_t count)
{
    ap_graph *g = j->g;
    const char *strings = strings_of(j);
    uint64_t slen = j->head->len[S_STRINGS];
    for (size_t k = 0; k < count; k++) {
        img_node r;
        memcpy(&r, chunk + k * sizeof r, sizeof r);
        if (r.id >= slen || r.attrs >= slen)
            return fail_job(j, "a node names a string outside the image");
        if (g->rec_nodes == NULL)
            img_node_get(&g->nodes[first + k], &r, strings, g->at);
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
        memcpy(&r, chunk + k * sizeof r, sizeof r);
        if (r.id >= slen || r.attrs >= slen || r.from >= g->n || r.to >= g->n)
            return fail_job(j, "an edge names a node or string outside the image");
        if (g->rec_edges == NULL)
            img_edge_get(&g->edges[first + k], &r, strings, g->at,
                         g->nodes[r.from].live && g->nodes[r.to].live);
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

/* Each in-edge's tail is the node whose out-row holds that edge. */
static bool in_from_ok(const ap_graph *g)
{
    for (uint32_t i = 0; i < g->m; i++) {
        uint32_t u = g->in_from[i], e = g->in_edge[i];
        if (u >= g->n || e < g->off[u] || e >= g->off[u + 1])
            return false;
    }
    return true;
}

/* Phase one: the nodes, the rows and in-edges (part 0) while the strings and the block table
 * are checked (1). */
static void *phase_one(void *arg)
{
    img_job *j = arg;
    ap_graph *g = j->g;
    if (j->part == 1) {
        for (int p = 0; p < IMG_PARTS; p++)
            if (!read_part(j, S_STRINGS, p, 1, NULL)
                || !read_part(j, S_BLOCKS, p, sizeof(uint64_t), NULL))
                return NULL;
        return NULL;
    }
    bool copy = !g->rows_mapped;        /* a partial load uses the image's rows in place */
    for (int p = 0; p < IMG_PARTS; p++)
        if (!read_part(j, S_NODES, p, sizeof(img_node), put_nodes)
            || !read_part(j, S_OUT, p, sizeof(uint32_t), copy ? put_out : NULL)
            || !read_part(j, S_IN, p, sizeof(uint32_t), copy ? put_in : NULL)
            || !read_part(j, S_INEDGE, p, sizeof(uint32_t), copy ? put_in_edges : NULL)
            || !read_part(j, S_INFROM, p, sizeof(uint32_t), NULL))
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
    if (g->in_from != NULL && !in_from_ok(g)) {
        fail_job(j, "an in-edge's tail is not its edge's");
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

/* A lazy load's checks at open: the block table and the rows (read everywhere, in place) whole,
 * by their two hashes through the mapping; the records and strings wait for image_lazy.c. */
static const char *lazy_check(ap_graph *g, const uint8_t *map, const img_head *h)
{
    static const int whole[] = { S_OUT, S_IN, S_INEDGE, S_INFROM, S_BLOCKS };
    for (size_t k = 0; k < sizeof whole / sizeof *whole; k++) {
        int s = whole[k];
        uint64_t split = part_split(h->len[s], s == S_BLOCKS ? sizeof(uint64_t) : 4);
        const uint8_t *p = map + h->off[s];
        if (hash_of(p, (size_t)split) != h->hash[s][0]
            || hash_of(p + split, (size_t)(h->len[s] - split)) != h->hash[s][1])
            return "a checksum does not match";
    }
    if (!offset_rows_ok(g->off, g->n, g->m) || !offset_rows_ok(g->in_off, g->n, g->m))
        return "its row offsets are not in order";
    for (uint32_t i = 0; i < g->m; i++)
        if (g->in_edge[i] >= g->m)
            return "an in-edge is out of range";
    if (!in_from_ok(g))
        return "an in-edge's tail is not its edge's";
    uint64_t base = 0;
    for (int s = 0; s < S_BLOCKS; s++) {
        g->block_base[s] = base;
        base += img_blocks(h->len[s]);
    }
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
        ((uint64_t)h->n + 1) * 4, ((uint64_t)h->n + 1) * 4, (uint64_t)h->m * 4,
        (uint64_t)h->m * 4, 0, 0 };
    uint64_t blocks = 0;        /* the table's entries: the blocks of the sections before it */
    for (int s = 0; s < S_COUNT; s++) {
        if (h->off[s] < IMG_HEAD || h->off[s] % IMG_ALIGN != 0 || h->off[s] > size
            || h->len[s] > size - h->off[s]
            || (s == S_BLOCKS ? h->len[s] != blocks * sizeof(uint64_t)
                              : s != S_STRINGS && h->len[s] != want[s]))
            return "its sections do not fit the file";
        blocks += img_blocks(h->len[s]);
    }
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

/* Every block checked (and, for a whole load, every record built) by two threads: 1, or 0
 * and *problem, or < 0 on an error. */
static int check_all(ap_graph *g, int fd, const uint8_t *map, const img_head *h,
                     const char **problem, ap_error *err)
{
    img_job jobs[IMG_PARTS] = {{g, fd, map, h, 0, NULL, false, NULL},
                               {g, fd, map, h, 1, NULL, false, NULL}};
    if ((jobs[0].buf = malloc(CHUNK_RECS * sizeof(img_edge))) == NULL
        || (jobs[1].buf = malloc(CHUNK_RECS * sizeof(img_edge))) == NULL) {
        free(jobs[0].buf);
        return ap_error_nomem(err);
    }
    bool usable = run_parts(phase_one, jobs, problem) && run_parts(phase_two, jobs, problem);
    free(jobs[0].buf);
    free(jobs[1].buf);
    return usable ? 1 : 0;
}

/* A lazy load: lazy_check() now, a block of records or strings when first read. */
static int open_lazy(ap_graph *g, int fd, const uint8_t *map, const img_head *h,
                     const char **problem, ap_error *err)
{
    if ((g->block_ok = calloc(h->len[S_BLOCKS] / sizeof(uint64_t) + 1, 1)) == NULL)
        return ap_error_nomem(err);
    /* the mapping is read at random (MADV_RANDOM: no read-around): a file not in the page
     * cache is read in the background in large pieces, not a page per fault (the kernel
     * reads at most its read-ahead window per call, 128 KiB by default) */
    for (uint64_t at = 0; at < h->size; at += READ_AHEAD)
        posix_fadvise(fd, (off_t)at, READ_AHEAD, POSIX_FADV_WILLNEED);
    return (*problem = lazy_check(g, map, h)) == NULL ? 1 : 0;
}

/* A partial load's graph: the rows are the image's, the records are built on first use. */
static bool alloc_partial(ap_graph *g, const uint8_t *map, const img_head *h)
{
    g->rows_mapped = true;
    g->off = (uint32_t *)(map + h->off[S_OUT]);         /* sections are page-aligned */
    g->in_off = (uint32_t *)(map + h->off[S_IN]);
    g->in_edge = (uint32_t *)(map + h->off[S_INEDGE]);
    g->in_from = (uint32_t *)(map + h->off[S_INFROM]);
    g->rec_nodes = map + h->off[S_NODES];
    g->rec_edges = map + h->off[S_EDGES];
    /* the pools are filled front to back: only the pages of the records built are touched;
     * the node slots, read for every edge's ends, are cleared at once (page faults dominate
     * otherwise); the edge slots are read only for the edges built or kept (authority's rounds
     * read edges in place): left to the kernel's zero pages */
    if ((g->node_slot = ap_graph__big((size_t)h->n + 1, sizeof *g->node_slot)) == NULL
        || (g->edge_slot = calloc((size_t)h->m + 1, sizeof *g->edge_slot)) == NULL
        || (g->node_live = calloc((size_t)h->n + 1, 1)) == NULL
        || (g->node_pool = ap_graph__big((size_t)h->n + 1, sizeof *g->node_pool)) == NULL
        || (g->edge_pool = ap_graph__big((size_t)h->m + 1, sizeof *g->edge_pool)) == NULL)
        return false;
    memset(g->node_slot, 0, ((size_t)h->n + 1) * sizeof *g->node_slot);
    return true;
}

/* A whole load built its records and rows from the image: only the strings stay in use.
 * The other sections' whole pages are unmapped, so that the process's address space holds the
 * records once; the holes are noted (sorted) for ap_graph__image_unmap, which unmaps the rest
 * around them when the graph goes. */
static void unmap_records(ap_image_holes *holes, void *map, const img_head *h)
{
    long page = sysconf(_SC_PAGESIZE);
    holes->n = 0;
    if (page <= 0)
        return;
    for (int s = 0; s < S_COUNT && holes->n < AP_IMAGE_HOLES; s++) {
        if (s == S_STRINGS)
            continue;
        uint64_t lo = (h->off[s] + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;
        uint64_t hi = (h->off[s] + h->len[s]) / (uint64_t)page * (uint64_t)page;
        if (hi <= lo || munmap((char *)map + lo, (size_t)(hi - lo)) != 0)
            continue;
        unsigned k = holes->n++;
        for (; k > 0 && holes->lo[k - 1] > lo; k--) {
            holes->lo[k] = holes->lo[k - 1];
            holes->hi[k] = holes->hi[k - 1];
        }
        holes->lo[k] = (size_t)lo;
        holes->hi[k] = (size_t)hi;
    }
}

void ap_graph__image_unmap(void *image, size_t len, const ap_image_holes *holes)
{
    size_t at = 0;
    if (image == NULL)
        return;
    for (unsigned k = 0; holes != NULL && k < holes->n; k++) {
        if (holes->lo[k] > at)
            munmap((char *)image + at, holes->lo[k] - at);
        at = holes->hi[k];
    }
    if (len > at)
        munmap((char *)image + at, len - at);
}

void ap_graph__image_forget(const ap_graph *g, const void *lo, const void *hi)
{
    uintptr_t base = (uintptr_t)g->image, a = (uintptr_t)lo, b = (uintptr_t)hi;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (g->image == NULL || page == 0 || (page & (page - 1)) != 0)
        return;
    if (a < base)
        a = base;
    if (b > base + g->image_len)
        b = base + g->image_len;
    a = (a + page - 1) & ~(page - 1);
    b &= ~(page - 1);
    if (a < b)      /* a hint: pages of a hole (already unmapped) make it fail, harmlessly */
        madvise((void *)a, (size_t)(b - a), MADV_DONTNEED);
}

int ap_graph__open_image(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                         ap_img_mode mode, char *why, size_t whylen, ap_error *err)
{
    bool partial = mode != AP_IMG_WHOLE;
    char *path = ap_image__path(st, "");
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
    if ((g = calloc(1, sizeof *g)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if (partial ? !alloc_partial(g, map, h)
        : ((g->nodes = ap_graph__big((size_t)h->n + 1, sizeof *g->nodes)) == NULL
           || (g->edges = ap_graph__big((size_t)h->m + 1, sizeof *g->edges)) == NULL
           || (g->off = ap_graph__big((size_t)h->n + 1, sizeof *g->off)) == NULL
           || (g->in_off = ap_graph__big((size_t)h->n + 1, sizeof *g->in_off)) == NULL
           || (g->in_edge = ap_graph__big((size_t)h->m + 1, sizeof *g->in_edge)) == NULL)) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    g->snap = snap;
    g->at = at;
    g->n = h->n;
    g->m = h->m;
    if ((rc = mode == AP_IMG_LAZY ? open_lazy(g, fd, map, h, &problem, err)
                                  : check_all(g, fd, map, h, &problem, err)) < 0)
        goto cleanup;
    if (rc == 0)
        goto unusable;
    if (mode == AP_IMG_WHOLE)
        unmap_records(&g->holes, map, h);
    g->image = map;
    g->image_len = (size_t)sb.st_size;
    map = MAP_FAILED;
    snprintf(g->load_note, sizeof g->load_note, "the graph image '%s'%s", path,
             partial ? " (partial: records built as the query reaches them)" : "");
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
