/* query/report_findings.c: the evidence pack's findings and drift parts of a partner's
 * section: the partner's findings, the most severe first, and observed use against the grants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/report.h"
#include "authpath/usage.h"
#include "query_internal.h"
#include "render/html_internal.h"
#include "report_internal.h"

/* The drift rules (query/findings/drift.c), shown in their own part when there are events. */
static const struct { const char *rule, *title; } drift_rules[] = {
    { "usage-not-granted", "Used, but no chain carries it" },
    { "granted-never-used", "Granted, never used" },
    { "attempted-not-granted", "Attempted and denied, not granted" },
};

static bool is_drift(const ap_finding *x)
{
    for (size_t k = 0; k < sizeof drift_rules / sizeof drift_rules[0]; k++)
        if (strcmp(x->rule->id, drift_rules[k].rule) == 0)
            return true;
    return false;
}

/* Observed use against approval, both ways, each finding with its events as evidence. */
void ap_report__drift_part(ap_html *h, const ap_findings *f, uint32_t p, const ap_usage *u)
{
    char since[32], until[32];
    ap_time_format(since, sizeof since, ap_usage_since(u));
    ap_time_format(until, sizeof until, ap_usage_until(u));
    ap_html__printf(h, "<h3>Drift</h3><p>Observed use from %s to %s against the chains of the "
                       "inventory.</p>", since, until);
    for (size_t k = 0; k < sizeof drift_rules / sizeof drift_rules[0]; k++) {
        size_t n = 0;
        ap_html__printf(h, "<h4>%s (<code>%s</code>)</h4>", drift_rules[k].title,
                        drift_rules[k].rule);
        for (size_t i = 0; i < ap_findings_count(f); i++) {
            const ap_finding *x = ap_findings_peek(f, i);
            if (x->partner != p || strcmp(x->rule->id, drift_rules[k].rule) != 0)
                continue;
            if ((x = ap_findings_get(f, i)) == NULL) {
                h->failed = true;           /* the store cannot be read: no report */
                return;
            }
            ap_html__put(h, n++ == 0 ? "<ul class=\"drift\"><li>" : "<li>");
            ap_html__printf(h, "<span class=\"sev-%s\">%s</span> ",
                            ap_severity_name(x->severity), ap_severity_name(x->severity));
            ap_html__text(h, x->message);
            if (x->waiver != NULL) {
                ap_html__put(h, x->waived ? " Waived by " : " Waiver expired, was by ");
                ap_html__text(h, x->waiver->owner);
            }
            ap_html__put(h, "</li>");
        }
        ap_html__put(h, n > 0 ? "</ul>" : "<p>None.</p>");
    }
}

void ap_report__findings_part(ap_html *h, const ap_graph *g, const ap_findings *f, uint32_t p,
                              bool drift_apart)
{
    size_t n = 0, more = 0;
    ap_html__put(h, "<h3>Findings</h3>");
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_peek(f, i);
        if (x->partner != p || (drift_apart && is_drift(x)))
            continue;
        if (n == REPORT_MAX_ROWS) {         /* the most severe first: the rest counted */
            more++;
            continue;
        }
        if ((x = ap_findings_get(f, i)) == NULL) {
            h->failed = true;               /* the store cannot be read: no report */
            return;
        }
        if (n++ == 0)
            ap_html__put(h, "<table><tr><th>severity</th><th>rule</th><th>OWASP NHI</th>"
                            "<th>NIST CSF</th><th>finding</th></tr>");
        ap_html__printf(h, "<tr><td class=\"sev-%s\">%s</td><td><code>",
                        ap_severity_name(x->severity), ap_severity_name(x->severity));
        ap_html__text(h, x->rule->id);
        ap_html__put(h, "</code></td><td>");
        ap_html__text(h, x->rule->owasp_nhi);
        ap_html__put(h, "</td><td>");
        ap_html__text(h, x->rule->nist_csf);
        ap_html__put(h, "</td><td>");
        ap_html__text(h, x->message);
        ap_html__put(h, "<br>");
        ap_report__source_of(h, g, x->file, x->line, x->col);
        if (x->waiver != NULL) {
            ap_html__put(h, x->waived ? "<br>Waived by " : "<br>Waiver expired, was by ");
            ap_html__text(h, x->waiver->owner);
            ap_html__put(h, ": ");
            ap_html__text(h, x->waiver->reason);
        }
        ap_html__put(h, "</td></tr>");
    }
    ap_html__put(h, n ? "</table>" : "<p>None.</p>");
    if (more > 0) {
        ap_html__printf(h, "<p class=\"note\">%zu more findings are not listed here: "
                        "<code>authpath findings --partner ", more);
        ap_html__text(h, ap_graph_node(g, p)->id);
        ap_html__put(h, "</code> lists them all.</p>");
    }
}
