/* authpath/import.h: reading inventories into the store. Every reader (native JSON, YAML, CSV,
 * AWS IAM, OpenGraph; later observed use) feeds the same staged writer; one call, one snapshot. */
#ifndef AUTHPATH_IMPORT_H
#define AUTHPATH_IMPORT_H

#include "authpath/store.h"

typedef enum {
    AP_FORMAT_AUTO,         /* detect from content */
    AP_FORMAT_NATIVE,       /* authpath/1 as JSON, YAML or CSV */
    AP_FORMAT_AWS_IAM,      /* aws iam get-account-authorization-details (docs/sources/aws-iam.md) */
    AP_FORMAT_OPENGRAPH,    /* BloodHound OpenGraph JSON (docs/sources/opengraph.md) */
    AP_FORMAT_K8S,          /* Kubernetes RBAC: kubectl Lists, manifests (docs/sources/kubernetes.md) */
    AP_FORMAT_MSGRAPH,      /* Microsoft Graph / Entra ID JSON (docs/sources/msgraph.md) */
    AP_FORMAT_USAGE,        /* runtime events: observed use (docs/sources/usage.md) */
    AP_FORMAT_COUNT
} ap_format;
#define AP_FORMAT_NAMES "native, aws-iam, opengraph, k8s, msgraph, usage"

/* What an import of observed use stored and what it could not resolve: events whose actor or
 * target is no node of the snapshot are stored and counted here, never dropped. */
#define AP_USAGE_REPORT_NAMES 5
typedef struct {
    uint64_t events;            /* stored */
    uint64_t denied;            /* of them, failed calls (attempts) */
    uint64_t skipped;           /* not use: Kubernetes events at an earlier stage */
    uint64_t duplicates;        /* not stored again: an event (id, action, actor, target) the
                                 * snapshot holds already, from this import or an earlier one */
    uint64_t unknown_actor_events;
    uint64_t unknown_actors;    /* distinct */
    char actors[AP_USAGE_REPORT_NAMES][128];    /* the first few, in order of appearance (a
                                                 * longer name cut, ending in "...") */
    uint64_t unknown_target_events;
    uint64_t unknown_targets;
    char targets[AP_USAGE_REPORT_NAMES][160];
    int64_t first, last;        /* the events' time span */
} ap_usage_report;

/* What an import recognised but did not turn into nodes and edges (a Deny statement, an
 * OpenGraph edge to a node in no input file...): one entry per file and construct, with how
 * many there were and where the first one is. */
typedef struct {
    char file[256];
    unsigned line, col;     /* the first occurrence; 0 when unknown */
    size_t count;
    char what[200];         /* "Deny statement not applied (authority is an over-approximation)" */
} ap_import_note;
#define AP_MAX_NOTES 32
typedef struct {
    ap_import_note items[AP_MAX_NOTES];
    size_t count;           /* entries used */
    size_t other;           /* occurrences of constructs that found no free entry */
    int og_no_partner;      /* OpenGraph was read and none of its nodes became a partner: a
                             * kind map (--map, docs/maps/) would name the third parties */
    char og_source_kind[64];    /* that OpenGraph's metadata.source_kind ("" when none) */
} ap_import_notes;

/* Progress of an import, for a caller that shows it (the library never prints). */
typedef struct {
    const char *file;       /* the file being read, borrowed */
    size_t file_index, files;
    uint64_t rows;          /* nodes and edges staged so far in this import */
} ap_import_progress;
typedef void (*ap_import_progress_fn)(void *arg, const ap_import_progress *p);
#define AP_IMPORT_PROGRESS_ROWS 4096    /* rows between two progress reports */

typedef struct {
    ap_format format;
    const char *label;      /* NULL: the file names */
    int64_t created;        /* Unix seconds recorded as the snapshot's time */
    ap_error_list *more;    /* when not NULL, receives the errors after the first */
    ap_import_notes *notes; /* when not NULL, receives what was recognised but not imported */
    const char *aws_accounts;   /* known vendors' AWS accounts (YAML); NULL: none */
    const char *og_map;         /* a kind map for foreign OpenGraph kinds (JSON or YAML,
                                 * docs/sources/opengraph.md), ahead of the built-in table;
                                 * NULL: the table alone */
    const char *partner_map;    /* Kubernetes users and groups -> partner ids (JSON or YAML:
                                 * name or glob pattern -> partner id); NULL: none */
    ap_import_progress_fn progress; /* when not NULL: called as each file starts and every
                                     * AP_IMPORT_PROGRESS_ROWS rows */
    void *progress_arg;
    uint64_t max_nodes;     /* refuse an import of more nodes than this (0: no limit) */
    uint64_t max_edges;     /* ... or more edges (0: no limit) */
    int64_t usage_snap;     /* observed use goes into this snapshot (0: the latest) */
    ap_usage_report *usage; /* when not NULL, receives what an import of observed use did */
} ap_import_opts;

/* Import n files as one snapshot. Files of observed use (format AP_FORMAT_USAGE, or detected
 * by their shape: CloudTrail, Kubernetes audit events, the native event form) make no snapshot:
 * their events are added to opts->usage_snap (the latest when 0), which *snap then names, in
 * one transaction; such an import holds only such files. On any error nothing is written: the database is exactly as
 * it was, err holds the first error (with file, line, col for input errors) and opts->more the
 * next ones. On success *snap is the new snapshot's id. */
AP_EXPORT int ap_import_files(ap_store *st, const char *const *paths, size_t n,
                              const ap_import_opts *opts, int64_t *snap, ap_error *err);

/* "native" -> AP_FORMAT_NATIVE, "aws-iam", "opengraph", "k8s", "auto"; AP_FORMAT_COUNT when unknown. */
AP_EXPORT ap_format ap_format_parse(const char *s);

#endif
