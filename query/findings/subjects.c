/* query/findings/subjects.c: one finding per subject node for every partner concerned (a
 * credential several partners hold): the first partner in id order makes it, the rest join it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "findings_internal.h"

/* The running rule's findings by subject, across batches: an open-addressing table of
 * (subject + 1, finding index); it grows with the subjects raised, not the graph. */
typedef struct ap_subject_table {
    uint32_t *key;              /* subject + 1, 0: empty */
    size_t *finding;
    size_t cap, n;
} by_subject;

void ap_findings__subjects_free(struct ap_subject_table *t)
{
    if (t == NULL)
        return;
    free(t->key);
    free(t->finding);
    free(t);
}

/* The running rule's table, made on first use; NULL when out of memory (ctx->rc set). */
static by_subject *table(ap_rule_ctx *c)
{
    ap_rule_state *s = &c->states[c->rule - ap_rule_at(0)];
    if (s->subjects == NULL && (s->subjects = calloc(1, sizeof *s->subjects)) == NULL
        && c->rc == AP_OK)
        c->rc = ap_error_nomem(c->err);
    return s->subjects;
}

static size_t slot_of(const by_subject *t, uint32_t subject)
{
    size_t i = ((size_t)subject * 0x9E3779B1u) & (t->cap - 1);
    while (t->key[i] != 0 && t->key[i] != subject + 1)
        i = (i + 1) & (t->cap - 1);
    return i;
}

static bool grow(by_subject *t)
{
    by_subject bigger = { NULL, NULL, t->cap ? t->cap * 2 : 256, t->n };
    bigger.key = calloc(bigger.cap, sizeof *bigger.key);
    bigger.finding = malloc(bigger.cap * sizeof *bigger.finding);
    if (bigger.key == NULL || bigger.finding == NULL) {
        free(bigger.key);
        free(bigger.finding);
        return false;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->key[i] == 0)
            continue;
        size_t j = slot_of(&bigger, t->key[i] - 1);
        bigger.key[j] = t->key[i];
        bigger.finding[j] = t->finding[i];
    }
    free(t->key);
    free(t->finding);
    *t = bigger;
    return true;
}

ap_finding *ap_findings__subject(ap_rule_ctx *c, uint32_t p, bool edge, uint32_t subject)
{
    by_subject *t = table(c);
    if (t == NULL || c->rc < 0)
        return NULL;
    if ((t->n + 1) * 2 > t->cap && !grow(t)) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    size_t i = slot_of(t, subject);
    if (t->key[i] != 0) {
        ap_findings__partner_at(c, t->finding[i], p);
        return NULL;
    }
    ap_finding *f = ap_findings__add(c, p, edge, subject);
    if (f == NULL)
        return NULL;
    t->key[i] = subject + 1;
    t->finding[i] = (size_t)(f - c->out->items);
    t->n++;
    return f;
}

size_t ap_findings__subject_index(ap_rule_ctx *c, bool edge, uint32_t subject)
{
    by_subject *t = table(c);
    (void)edge;                 /* a rule keeps to nodes or to edges */
    if (t == NULL || t->cap == 0)
        return SIZE_MAX;
    size_t i = slot_of(t, subject);
    return t->key[i] != 0 ? t->finding[i] : SIZE_MAX;
}

int ap_findings__subjects_said(ap_rule_ctx *c, size_t least,
                               void (*say)(ap_rule_ctx *c, ap_finding *f))
{
    by_subject *t = c->last ? table(c) : NULL;
    if (t == NULL)
        return c->rc;
    for (size_t i = 0; i < t->cap && c->rc == AP_OK; i++) {
        if (t->key[i] == 0)
            continue;
        size_t x = t->finding[i];
        if (c->out->items[x].npartners < least) {
            ap_findings__drop(c, x);
        } else if (c->out->items[x].npartners > 1) {
            ap_finding *f = ap_findings__at(c, x);
            if (f != NULL)
                say(c, f);
        }
    }
    return c->rc;
}

const char *ap_findings__held_by(ap_rule_ctx *c, const ap_finding *f, char *buf, size_t size)
{
    char who[600], how[1100];
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    snprintf(buf, size, "%s%s %s", who, f->npartners > 1 ? "," : "", how);
    return buf;
}

void ap_findings__who_and_how(ap_rule_ctx *c, const ap_finding *f, char *who, size_t wsize,
                              char *how, size_t hsize)
{
    char list[512], chain[1024];
    ap_findings__partner_list(c, f, list, sizeof list, 5);
    snprintf(who, wsize, "partner%s %s", f->npartners > 1 ? "s" : "", list);
    snprintf(how, hsize, "%sthrough %s", f->npartners > 1 ? "for example " : "",
             ap_findings__chain(c, f, chain, sizeof chain));
}

