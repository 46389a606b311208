/* query/findings/store.c: keeps the evidence of finished findings in a temporary file, not in
 * memory: a run's memory follows the graph, never the number of findings it raises. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings_internal.h"
#include "authpath/render.h"

/* A finding's header (rule, severity, partners, subject, source, the counts) stays in memory;
 * its evidence (message, nodes, facts, path: most of its bytes) is frozen once the rule that
 * made it returns: written to the store's file as one record, its arrays freed. A rule that
 * changes an earlier finding opens it first (ap_findings__at: read back, thawed); one that only
 * adds a partner does not (ap_findings__partner_at). The finished list reads each finding's
 * evidence back when asked for it (ap_findings_get). At 800,000 findings that is about 400 MB
 * not held (bench/RESULTS.md, eleventh session). */

/* A record: the message's length + 1 (0: none) in 8 bytes, then the facts (key pointer, value
 * offset: the keys are static strings of this process), the nodes, the path, the values and the
 * message. Its place is spot[i] - 1 (0: in memory), its length spot_len[i]. */
typedef struct {
    const char *key;
    uint64_t at;
} fact_rec;

#define HEAD 8

static size_t record_size(const ap_finding *f, size_t msg)
{
    size_t size = HEAD + f->nfacts * sizeof(fact_rec)
                  + (f->nnodes + f->npath) * sizeof(uint32_t) + msg;
    for (size_t k = 0; k < f->nfacts; k++)
        size += strlen(f->facts[k].value) + 1;
    return size;
}

static int room(ap_findings *out, size_t size)
{
    if (size <= out->buf_cap)
        return AP_OK;
    char *b = realloc(out->buf, size);
    if (b == NULL)
        return AP_ENOMEM;
    out->buf = b;
    out->buf_cap = size;
    return AP_OK;
}

/* Room in out->spot for cap findings. */
static int store_grow(ap_findings *out, size_t cap)
{
    if (cap <= out->spot_cap)
        return AP_OK;
    uint64_t *s = realloc(out->spot, cap * sizeof *s);
    if (s == NULL)
        return AP_ENOMEM;
    out->spot = s;
    uint32_t *l = realloc(out->spot_len, cap * sizeof *l);
    if (l == NULL)
        return AP_ENOMEM;
    out->spot_len = l;
    memset(s + out->spot_cap, 0, (cap - out->spot_cap) * sizeof *s);
    out->spot_cap = cap;
    return AP_OK;
}

/* Point f's evidence nowhere (its counts stay): freed, in the file, or forgotten. */
static void no_evidence(ap_finding *f)
{
    f->message = NULL;
    f->nodes = f->path = NULL;
    f->facts = NULL;
}

static void free_evidence(ap_finding *f)
{
    free(f->message);
    free(f->nodes);
    for (size_t k = 0; k < f->nfacts; k++)
        free(f->facts[k].value);
    free(f->facts);
    free(f->path);
    no_evidence(f);
}

/* Write finding i's evidence to the file and free it (nothing when frozen or dropped). */
static int freeze(ap_findings *out, size_t i)
{
    ap_finding *f = &out->items[i];
    if (out->spot[i] != 0 || f->rule == NULL)
        return AP_OK;
    size_t msg = f->message != NULL ? strlen(f->message) + 1 : 0;
    size_t size = record_size(f, msg), value;
    if (size >= AP_SPOT_SILENT || room(out, size) < 0)
        return AP_ENOMEM;
    uint64_t m = msg;
    char *at = out->buf;
    memcpy(at, &m, HEAD);
    at += HEAD;
    value = HEAD + f->nfacts * sizeof(fact_rec) + (f->nnodes + f->npath) * sizeof(uint32_t);
    for (size_t k = 0; k < f->nfacts; k++) {
        size_t len = strlen(f->facts[k].value) + 1;
        fact_rec r = { f->facts[k].key, value };
        memcpy(at, &r, sizeof r);
        at += sizeof r;
        memcpy(out->buf + value, f->facts[k].value, len);
        value += len;
    }
    if (f->nnodes > 0)
        memcpy(at, f->nodes, f->nnodes * sizeof *f->nodes);
    at += f->nnodes * sizeof *f->nodes;
    if (f->npath > 0)
        memcpy(at, f->path, f->npath * sizeof *f->path);
    if (msg > 0)
        memcpy(out->buf + value, f->message, msg);
    if (out->file == NULL && (out->file = ap_temp_file("findings", NULL)) == NULL)
        return AP_EIO;
    if (fwrite(out->buf, 1, size, out->file) != size)
        return AP_EIO;
    out->unflushed = true;
    out->spot[i] = out->end + 1;
    out->spot_len[i] = (uint32_t)size | (msg == 0 ? AP_SPOT_SILENT : 0);
    out->end += size;
    free_evidence(f);
    return AP_OK;
}

int ap_findings__freeze_new(ap_findings *out)
{
    int rc;
    if (store_grow(out, out->n + 1) < 0)
        return AP_ENOMEM;
    for (size_t k = 0; k < out->nthawed; k++)
        if (out->thawed[k] < out->n && (rc = freeze(out, out->thawed[k])) < 0)
            return rc;
    out->nthawed = 0;
    for (; out->frozen_upto < out->n; out->frozen_upto++)
        if ((rc = freeze(out, out->frozen_upto)) < 0)
            return rc;
    return AP_OK;
}

/* Read finding i's record into out->buf and point its evidence there (the facts as the header
 * shows them after the record). */
static int load(ap_findings *out, size_t i)
{
    ap_finding *f = &out->items[i];
    size_t size = out->spot_len[i] & ~AP_SPOT_SILENT, shown_at = (size + 7) & ~(size_t)7;
    uint64_t msg;
    if (out->unflushed && fflush(out->file) != 0)
        return AP_EIO;
    out->unflushed = false;
    if (room(out, shown_at + f->nfacts * sizeof(ap_fact) + 1) < 0)
        return AP_ENOMEM;
    if (pread(fileno(out->file), out->buf, size, (off_t)(out->spot[i] - 1)) != (ssize_t)size)
        return AP_EIO;
    memcpy(&msg, out->buf, HEAD);
    char *at = out->buf + HEAD;
    ap_fact *shown = (ap_fact *)(void *)(out->buf + shown_at);
    for (size_t k = 0; k < f->nfacts; k++) {
        fact_rec r;
        memcpy(&r, at, sizeof r);
        at += sizeof r;
        shown[k].key = r.key;
        shown[k].value = out->buf + r.at;
    }
    f->facts = f->nfacts > 0 ? shown : NULL;
    f->nodes = f->nnodes > 0 ? (uint32_t *)(void *)at : NULL;
    at += f->nnodes * sizeof(uint32_t);
    f->path = f->npath > 0 ? (uint32_t *)(void *)at : NULL;
    f->message = msg > 0 ? out->buf + size - msg : NULL;
    return AP_OK;
}

static void *copy(const void *p, size_t n)
{
    void *q = malloc(n > 0 ? n : 1);        /* never NULL for nothing: NULL is no memory */
    if (q != NULL && n > 0)
        memcpy(q, p, n);
    return q;
}

/* Give finding i its own evidence again (read back from the file) until it is frozen again. */
static int thaw(ap_findings *out, size_t i)
{
    ap_finding *f = &out->items[i];
    int rc;
    if (i >= out->spot_cap || out->spot[i] == 0)
        return AP_OK;
    if (out->nthawed == out->thawed_cap) {
        size_t cap = out->thawed_cap * 2 + 16, *t = realloc(out->thawed, cap * sizeof *t);
        if (t == NULL)
            return AP_ENOMEM;
        out->thawed = t;
        out->thawed_cap = cap;
    }
    if ((rc = load(out, i)) < 0)
        return rc;
    ap_fact *facts = copy(f->facts, f->nfacts * sizeof *facts);
    uint32_t *nodes = copy(f->nodes, f->nnodes * sizeof *nodes);
    uint32_t *path = copy(f->path, f->npath * sizeof *path);
    char *message = f->message != NULL ? strdup(f->message) : NULL;
    bool ok = facts != NULL && nodes != NULL && path != NULL
              && (f->message == NULL || message != NULL);
    for (size_t k = 0; ok && k < f->nfacts; k++)
        if ((facts[k].value = strdup(f->facts[k].value)) == NULL) {
            for (size_t j = 0; j < k; j++)
                free(facts[j].value);
            ok = false;
        }
    if (!ok) {
        free(facts);
        free(nodes);
        free(path);
        free(message);
        no_evidence(f);
        return AP_ENOMEM;
    }
    f->facts = facts;
    f->nodes = nodes;
    f->path = path;
    f->message = message;
    out->spot[i] = 0;
    out->thawed[out->nthawed++] = i;
    return AP_OK;
}

ap_finding *ap_findings__at(ap_rule_ctx *c, size_t i)
{
    int rc;
    if (c->rc < 0)
        return NULL;
    if ((rc = thaw(c->out, i)) < 0) {
        c->rc = rc == AP_ENOMEM ? ap_error_nomem(c->err)
                                : ap_error_set(c->err, AP_EIO, "cannot read back a finding "
                                               "from its temporary file");
        return NULL;
    }
    return &c->out->items[i];
}

void ap_findings__partner_at(ap_rule_ctx *c, size_t i, uint32_t p)
{
    ap_findings__partner(c, &c->out->items[i], p);
}

void ap_findings__dispose(ap_findings *out, ap_finding *f)
{
    size_t i = (size_t)(f - out->items);
    free(f->partners);
    f->partners = NULL;
    if (out->bits != NULL && i < out->cap) {
        free(out->bits[i]);
        out->bits[i] = NULL;
    }
    if (i < out->spot_cap && out->spot[i] != 0) {
        out->spot[i] = 0;           /* its record stays in the file, unread */
        no_evidence(f);
        return;
    }
    free_evidence(f);
}

void ap_findings__store_free(ap_findings *out)
{
    if (out->file != NULL)
        fclose(out->file);
    free(out->spot);
    free(out->spot_len);
    free(out->thawed);
    free(out->buf);
}

void ap_findings__forget(ap_findings *out)
{
    if (out->loaded < out->n)
        no_evidence(&out->items[out->loaded]);
    out->loaded = SIZE_MAX;
}

const ap_finding *ap_findings_peek(const ap_findings *f, size_t i)
{
    return &f->items[i];
}

const ap_finding *ap_findings_get(const ap_findings *f, size_t i)
{
    ap_findings *out = (ap_findings *)f;     /* its buffer only: the list is unchanged */
    if (out->loaded == i)
        return &out->items[i];
    ap_findings__forget(out);
    if (i < out->spot_cap && out->spot[i] != 0) {
        if (load(out, i) < 0)
            return NULL;
        out->loaded = i;
    }
    return &out->items[i];
}
