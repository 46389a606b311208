/* authpath/report.h: the auditor's evidence pack. One self-contained HTML document (inline CSS
 * and SVG, no script, no external reference) for the whole estate or the partners named. */
#ifndef AUTHPATH_REPORT_H
#define AUTHPATH_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "authpath/findings.h"

typedef struct {
    const uint32_t *partners;       /* node indices; NULL: every partner, by score */
    size_t npartners;
    const ap_policy *policy;        /* weights, thresholds, waivers, scopes; NULL: defaults */
    const char *snapshot_label;     /* the snapshot's label and creation time, as the store */
    const char *snapshot_created;   /* gives them (NULL: not shown) */
    const char *const *sources;     /* the snapshot's input files, observed use included */
    const char *const *source_hashes;   /* their SHA-256 (an entry or the array NULL: none) */
    size_t nsources;
    const struct ap_usage *usage;   /* observed use over a window (authpath/usage.h): a drift
                                     * section per partner when it holds events; NULL: none */
    unsigned threads;               /* the ranking's all-partners kernel (0: one thread) */
} ap_report_opts;

/* The report as HTML: *out owns *len bytes (NUL-terminated; free()). Same graph and options,
 * same bytes. Every name from the inventory is escaped; diagrams are inline SVG whose nodes
 * link to their sections. */
AP_EXPORT int ap_report_html(char **out, size_t *len, const ap_graph *g,
                             const ap_report_opts *opts, ap_error *err);
/* The same bytes written to out as they are made (a MiB at a time), so that memory does not
 * hold the whole page (160 MB for the estate of the stress shape at S=100). AP_EIO when a
 * write fails; what was written before stays (the caller writes to a temporary file). */
AP_EXPORT int ap_report_html_write(FILE *out, const ap_graph *g, const ap_report_opts *opts,
                                   ap_error *err);

/* A compact bar of a blast score split by sensitivity, as inline SVG (shared with the text
 * bar of `partners`): part[s] is the score from targets of sensitivity s. */
AP_EXPORT char *ap_report_score_svg(const int64_t part[AP_SENS_COUNT], int64_t max);

#endif
