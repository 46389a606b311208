/* query/report_internal.h: what the evidence pack's files share (report.c composes the page,
 * report_findings.c writes a section's findings and drift). Never leaves query/. */
#ifndef AUTHPATH_REPORT_INTERNAL_H
#define AUTHPATH_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/findings.h"
#include "authpath/usage.h"
#include "render/html_internal.h"

#define REPORT_MAX_ROWS 200     /* reach and finding rows per partner; the rest counted */

/* A place in the inventory: "path:line:col" in a source span. */
void ap_report__source_of(ap_html *h, const ap_graph *g, int64_t file, unsigned line,
                          unsigned col);
/* Partner p's findings (the most severe first, REPORT_MAX_ROWS of them, the rest counted);
 * drift_apart: the drift rules are left to their own part. */
void ap_report__findings_part(ap_html *h, const ap_graph *g, const ap_findings *f, uint32_t p,
                              bool drift_apart);
/* Partner p's drift findings against the observed use u, in their own part. */
void ap_report__drift_part(ap_html *h, const ap_findings *f, uint32_t p, const ap_usage *u);

#endif
