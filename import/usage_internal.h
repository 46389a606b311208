/* import/usage_internal.h: what the observed-use readers share: the event stream, the resolver
 * that turns principals and resources into the snapshot's node ids, and the per-source readers. */
#ifndef AUTHPATH_USAGE_INTERNAL_H
#define AUTHPATH_USAGE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "authpath/graph.h"
#include "authpath/usage.h"
#include "import_internal.h"

#define AP_USAGE_MAX_EVENT (16 << 20)   /* one event's text, bytes */

/* ---- usage_stream.c: one event at a time, whatever the file's size ---- */
typedef struct {
    FILE *f;
    unsigned char *in;          /* what was read of the file and not taken yet: in[pos, end) */
    size_t pos, end;
    ap_digest digest;           /* of every byte read */
    const char *path;
    unsigned line, col;         /* of the last character read */
    unsigned rec_line, rec_col; /* where the current event begins */
    char *buf;                  /* the current event's text */
    size_t len, cap;
    int state;
    bool top_list, in_list_started, depth0;
} ap_usage_stream;
int ap_usage__stream_open(ap_usage_stream *s, const char *path, ap_error *err);
/* 1: the next event's text is in s->buf (place rec_line, rec_col); 0: the end; < 0: error. */
int ap_usage__stream_next(ap_usage_stream *s, ap_error *err);
/* The current event parsed: *out owns it. Syntax errors name the file's line and column. */
int ap_usage__stream_json(ap_usage_stream *s, json_t **out, ap_error *err);
/* The SHA-256 of the whole file, reading what is left of it. */
int ap_usage__stream_digest(ap_usage_stream *s, char hex[AP_SHA256_HEX], ap_error *err);
void ap_usage__stream_close(ap_usage_stream *s);

/* ---- usage.c: the import ---- */
typedef struct ap_usage_import ap_usage_import;
/* Resolve and store one event: its actor candidates are tried in order (NULL ones skipped);
 * the first that is a node of the snapshot is the actor; else the event is stored under the
 * first given after the first (an access key alone says little), or the first. */
int ap_usage__event(ap_usage_import *ui, ap_obs_rec *r, const char *const *actors, size_t n,
                    ap_error *err);
/* As ap_usage__event, for a further use the same event records (the impersonation a
 * Kubernetes request made, beside what it did): stored, and skipped as a duplicate when the
 * snapshot holds it, but not counted as another event in the import's report. */
int ap_usage__event_part(ap_usage_import *ui, ap_obs_rec *r, const char *const *actors,
                         size_t n, ap_error *err);
/* Record an error at line, col of the current file; returns AP_EINPUT. */
int ap_usage__fail(ap_usage_import *ui, unsigned line, unsigned col, ap_error *err,
                   const char *fmt, ...) AP_PRINTF(5, 6);
/* An event of the file not counted as use (a Kubernetes event at an earlier stage). */
void ap_usage__skip(ap_usage_import *ui, const char *what, unsigned line);
const ap_vocab *ap_usage__vocab(const ap_usage_import *ui);
/* Is id a node of the snapshot? */
bool ap_usage__known(ap_usage_import *ui, const char *id);
/* The node whose app_id attribute is app_id (case aside; a service principal before an
 * application), or NULL; borrowed from the import. */
const char *ap_usage__app_node(ap_usage_import *ui, const char *app_id);
/* The partner node a Kubernetes partner map made of subject KIND ("User", "Group") NAME (the
 * Kubernetes reader lists it in the partner's k8s_subjects), or NULL; borrowed. */
const char *ap_usage__k8s_subject(ap_usage_import *ui, const char *kind, const char *name);

/* ---- the sources: one parsed event each (line: where it begins) ---- */
int ap_usage__cloudtrail(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err);
int ap_usage__k8s(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err);
/* Microsoft Entra: a signIn record or a servicePrincipalSignInActivity (usage_entra.c). */
bool ap_usage__entra_shape(const json_t *ev);
int ap_usage__entra(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err);
int ap_usage__native(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err);
/* A native CSV file: header naming at, actor, target, right (via, ok optional); its SHA-256. */
int ap_usage__native_csv(ap_usage_import *ui, const char *path, char sha256[AP_SHA256_HEX],
                         ap_error *err);

#endif
