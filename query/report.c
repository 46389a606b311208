/* query/report.c: the evidence pack. Composes, per partner, what the other commands compute
 * (authority with its explanations, delegation, paths, offboarding, findings) into one HTML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"
#include "authpath/report.h"
#include "authpath/usage.h"
#include "query_internal.h"
#include "render/html_internal.h"
#include "report_internal.h"

/* Partner sections of a report on the whole estate (no PARTNER named): the highest ranked;
 * the others stay in the ranking. A section costs about a second of diagram layouts and up to
 * 200 explained rows: a section of a 400-deep subcontractor chain took 2.7-3.1 s, so its 400
 * partners' report, cut off at 60 s, would take about 20 minutes. */
#define REPORT_MAX_SECTIONS 20

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#111}"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #333;margin-top:2em}h3{margin-top:1.4em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.2em .4em;vertical-align:top;text-align:left}"
    "th{background:#f2f2f2}td.n{text-align:right}code,.id{font-family:monospace}"
    ".sev-critical{color:#fff;background:#b71c1c}.sev-high{background:#e57373}"
    ".sev-medium{background:#ffe0b2}.sev-low{background:#eee}"
    ".chain{font-family:monospace;font-size:.9em}.src{color:#555;font-size:.85em}"
    ".diagram{overflow:auto;border:1px solid #ddd;margin:.5em 0}.diagram svg{max-width:100%;"
    "height:auto}.note{color:#555}.warn{color:#b71c1c}"
    "@page{size:A4;margin:15mm}"
    "@media print{section.partner{break-before:page}.diagram{overflow:visible}"
    "a{color:inherit;text-decoration:none}}";

typedef struct {
    uint32_t partner;
    ap_authority *a;
    ap_blast *b;
    int64_t part[AP_SENS_COUNT];
} ranked;

static int rank_cmp(const void *x, const void *y)
{
    const ranked *p = x, *q = y;
    if (p->b->score != q->b->score)
        return p->b->score > q->b->score ? -1 : 1;
    return p->partner < q->partner ? -1 : p->partner > q->partner;    /* ids are sorted */
}

/* r[0..n)'s blast radii, counts only, through the all-partners kernel; part as `partners`. */
static int rank_counts(ranked *r, size_t n, const ap_graph *g, const ap_weights *w,
                       unsigned threads, ap_error *err)
{
    uint32_t *src = malloc((n + 1) * sizeof *src);
    ap_blast **list = NULL;
    int rc;
    if (src == NULL)
        return ap_error_nomem(err);
    for (size_t i = 0; i < n; i++)
        src[i] = r[i].partner;
    rc = ap_blast_all(&list, g, src, (uint32_t)n, w, 0, threads > 0 ? threads : 1, err);
    for (size_t i = 0; rc == AP_OK && i < n; i++) {
        r[i].b = list[i];               /* each now owned by its row */
        list[i] = NULL;
        memcpy(r[i].part, r[i].b->score_by_sens, sizeof r[i].part);
    }
    ap_blast_list_free(list, rc == AP_OK ? (uint32_t)n : 0);
    free(src);
    return rc;
}

/* A link to partner p's section (its row in the node index when it has none), showing its
 * name. */
static void partner_link(ap_html *h, const ap_graph *g, uint32_t p, bool section)
{
    ap_html__link(h, section ? "p-" : "n-", ap_graph_node(g, p)->id,
                  ap_graph_node_label(g, p));
}

void ap_report__source_of(ap_html *h, const ap_graph *g, int64_t file, unsigned line, unsigned col)
{
    const char *path = ap_graph_source_path(g, file);
    ap_html__put(h, "<span class=\"src\">");
    ap_html__text(h, path != NULL ? path : "?");
    ap_html__printf(h, ":%u:%u</span>", line, col);
}

/* A chain as "a > b > c" with each step's source. */
static void chain(ap_html *h, const ap_graph *g, uint32_t source, const uint32_t *edges,
                  size_t n)
{
    ap_html__put(h, "<span class=\"chain\">");
    ap_html__node_link(h, ap_graph_node(g, source)->id);
    for (size_t i = 0; i < n; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        ap_html__put(h, " &gt; ");
        ap_html__node_link(h, ap_graph_node(g, e->to)->id);
    }
    ap_html__put(h, "</span><br>");
    for (size_t i = 0; i < n; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        if (i)
            ap_html__put(h, "; ");
        ap_html__put(h, "<span class=\"src\">");
        ap_html__text(h, ap_edge_kind_name(e->kind));
        ap_html__put(h, "</span> ");
        ap_report__source_of(h, g, e->file, e->line, e->col);
    }
}

/* A diagram as inline SVG (the XML prolog and comments before <svg> dropped), its nodes
 * linking to the node index. A diagram Graphviz cannot draw is said so, not fatal. */
static void diagram(ap_html *h, const ap_graph *g, ap_diagram *d)
{
    char *svg = NULL;
    size_t len = 0;
    ap_diagram *page = NULL;
    ap_error err;
    d->link_prefix = "#n-";
    int rc = ap_diagram_fit_svg(&page, &svg, &len, g, d, &err);    /* cut down to a page */
    if (rc == AP_OK && svg == NULL)
        rc = ap_diagram_render(&svg, &len, g, page, "svg", &err);
    ap_diagram_free(page);
    if (rc < 0) {
        ap_html__put(h, "<p class=\"warn\">This diagram could not be drawn: ");
        ap_html__text(h, err.msg);
        ap_html__put(h, "</p>");
        return;
    }
    const char *start = strstr(svg, "<svg");
    ap_html__put(h, "<div class=\"diagram\">");
    if (start != NULL)
        ap_html__putn(h, start, len - (size_t)(start - svg));
    ap_html__put(h, "</div>");
    free(svg);
}

static void rights_text(ap_html *h, const ap_graph *g, ap_rights r)
{
    char buf[1024];
    ap_rights_format(buf, sizeof buf, ap_graph_vocab(g), r, ", ", true);
    ap_html__text(h, buf);
}

/* An id as one word of a POSIX shell command, to copy from a hint: in single quotes, each of
 * its own single quotes as '"'"' (no backslash: the page's text escapes those); an id is data,
 * and "; rm -rf ~" must stay text. */
static char *shell_word(const char *id)
{
    size_t n = 3;
    for (const char *p = id; *p != '\0'; p++)
        n += *p == '\'' ? 5 : 1;
    char *out = malloc(n), *o = out;
    if (out == NULL)
        return NULL;
    *o++ = '\'';
    for (const char *p = id; *p != '\0'; p++) {
        if (*p == '\'') {
            memcpy(o, "'\"'\"'", 5);
            o += 5;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

static int authority_part(ap_html *h, const ap_graph *g, const ranked *r, ap_error *err)
{
    const ap_authority *a = r->a;
    uint32_t shown = 0;
    ap_html__printf(h, "<h3>Authority</h3><p>%u nodes reached. Each row gives every chain it "
                    "takes to carry all the rights held, with the source of each step.</p>",
                    a->nreach);
    if (a->nreach == 0)
        return AP_OK;
    ap_html__put(h, "<table><tr><th>target</th><th>kind</th><th>rights</th><th>hops</th>"
                    "<th>explanation and evidence</th></tr>");
    for (uint32_t k = 0; k < a->nreach && shown < REPORT_MAX_ROWS; k++, shown++) {
        uint32_t v = a->reach[k];
        ap_explanation *ex = NULL;
        size_t nex = 0;
        if (ap_explain_all(&ex, &nex, g, a, v, err) < 0)
            return err->code;
        ap_html__put(h, "<tr><td>");
        ap_html__node_link(h, ap_graph_node(g, v)->id);
        ap_html__put(h, "</td><td>");
        ap_html__text(h, ap_kind_name(ap_graph_node(g, v)->kind));
        ap_html__put(h, "</td><td>");
        rights_text(h, g, a->rights[v]);
        ap_html__printf(h, "</td><td class=\"n\">%u</td><td>", a->hops[v]);
        for (size_t i = 0; i < nex; i++) {
            if (i)
                ap_html__put(h, "<hr>");
            ap_html__text(h, ex[i].sentence);
            ap_html__put(h, "<br>");
            chain(h, g, a->source, ex[i].edges, ex[i].len);
        }
        ap_html__put(h, "</td></tr>");
        ap_explanations_free(ex, nex);
    }
    ap_html__put(h, "</table>");
    if (a->nreach > shown) {
        char *q = shell_word(ap_graph_node(g, a->source)->id);
        if (q == NULL)
            return ap_error_nomem(err);
        ap_html__printf(h, "<p class=\"note\">%u more reached nodes are not listed here: "
                        "<code>authpath authority --format json -- ", a->nreach - shown);
        ap_html__text(h, q);
        ap_html__put(h, "</code> lists them all.</p>");
        free(q);
    }
    return AP_OK;
}

static int delegation_part(ap_html *h, const ap_graph *g, uint32_t p, ap_error *err)
{
    ap_delegation *dl = NULL;
    ap_diagram *d = NULL;
    int rc;
    ap_html__put(h, "<h3>Delegation</h3>");
    if ((rc = ap_delegation_compute(&dl, g, p, err)) < 0)
        return rc;
    if (dl->nlinks == 0 && dl->nloops == 0 && dl->ninherits == 0) {
        ap_html__put(h, "<p>No partner acts for it, and it acts for none.</p>");
        ap_delegation_free(dl);
        return AP_OK;
    }
    for (uint32_t i = 0; i < dl->nchains; i++) {
        const ap_chain *c = &dl->chains[i];
        ap_html__put(h, "<p>");
        partner_link(h, g, c->partner, false);
        ap_html__printf(h, " acts for %u partner%s (a party of depth %u): ", c->nacts,
                        c->nacts == 1 ? "" : "s", c->depth + 3);
        for (uint32_t k = 0; k < c->nacts; k++) {
            if (k)
                ap_html__put(h, ", ");
            partner_link(h, g, c->acts_for[k], false);
        }
        ap_html__put(h, "</p>");
    }
    for (uint32_t i = 0; i < dl->nloops; i++) {
        const ap_loop *l = &dl->loops[i];
        ap_html__put(h, "<p class=\"warn\">Delegation loop: ");
        for (uint32_t k = 0; k <= l->len; k++) {
            if (k)
                ap_html__put(h, " &gt; ");
            ap_html__node_link(h, ap_graph_node(g, l->nodes[k % l->len])->id);
        }
        ap_html__put(h, "</p>");
    }
    if ((rc = ap_diagram_delegation(&d, g, dl, p, err)) == AP_OK)
        diagram(h, g, d);
    ap_diagram_free(d);
    ap_delegation_free(dl);
    return rc;
}

static int paths_part(ap_html *h, const ap_graph *g, const ranked *r, ap_error *err)
{
    const ap_authority *a = r->a;
    ap_diagram *d = NULL;
    uint32_t n = 0;
    int rc;
    ap_html__put(h, "<h3>Paths to sensitive targets</h3>");
    for (uint32_t k = 0; k < a->nreach; k++) {
        const ap_node *v = ap_graph_node(g, a->reach[k]);
        n += (v->kind == AP_KIND_RESOURCE || v->kind == AP_KIND_WORKFLOW)
             && v->sensitivity >= AP_SENS_CONFIDENTIAL;
    }
    ap_html__printf(h, "<p>%u reached resources and workflows are confidential or more "
                    "sensitive; their chains are in the authority table above. The diagram "
                    "shows the chains to the most sensitive first.</p>", n);
    if ((rc = ap_diagram_authority(&d, g, a, err)) == AP_OK)
        diagram(h, g, d);
    ap_diagram_free(d);
    return rc;
}

static int offboard_part(ap_html *h, const ap_graph *g, const ranked *r, ap_error *err)
{
    /* the section counts the shared credentials: their choices are offboard's to list */
    /* the shared credentials' holders without their choices, no collateral, the residual
     * counted: what the section shows (max_actors then lists nothing) */
    ap_offboard_opts oo = { AP_SENS_CONFIDENTIAL, true, 0, true, true, 0 };
    ap_offboard *o = NULL;
    ap_diagram *d = NULL;
    int rc;
    ap_html__put(h, "<h3>Offboarding</h3>");
    if ((rc = ap_offboard_compute(&o, g, r->partner, &oo, err)) < 0)
        return rc;
    char *q = shell_word(ap_graph_node(g, r->partner)->id);
    if (q == NULL) {
        ap_offboard_free(o);
        return ap_error_nomem(err);
    }
    ap_html__printf(h, "<p>The plan has %u steps. After it, %u reach items remain (residual); "
                    "%u shared credentials need a choice, %u items persist. What other "
                    "partners and workflows lose (collateral) is not computed here: "
                    "<code>authpath offboard -- ", o->nplan, o->nresidual, o->nshared,
                    o->npersistence);
    ap_html__text(h, q);
    ap_html__put(h, "</code> lists it.</p>");
    free(q);
    ap_html__printf(h, "<p>Minimal revocation set (%u edges) that cuts it off from its %u "
                    "confidential or more sensitive targets:</p><ul>", o->ncut, o->ntargets);
    for (uint32_t i = 0; i < o->ncut; i++) {
        const ap_edge *e = ap_graph_edge(g, o->cut[i]);
        ap_html__put(h, "<li>");
        ap_html__node_link(h, ap_graph_node(g, e->from)->id);
        ap_html__put(h, " &mdash;");
        ap_html__text(h, ap_edge_kind_name(e->kind));
        ap_html__put(h, "&rarr; ");
        ap_html__node_link(h, ap_graph_node(g, e->to)->id);
        ap_html__put(h, " ");
        ap_report__source_of(h, g, e->file, e->line, e->col);
        ap_html__put(h, "</li>");
    }
    ap_html__put(h, "</ul>");
    if (o->nchokes > 0) {
        ap_html__put(h, "<p>Choke points (every carrying path to these targets passes them):"
                        "</p><ul>");
        for (uint32_t i = 0; i < o->nchokes; i++) {
            ap_html__put(h, "<li>");
            ap_html__node_link(h, ap_graph_node(g, o->chokes[i].node)->id);
            ap_html__printf(h, " (%u targets)</li>", o->chokes[i].ntargets);
        }
        ap_html__put(h, "</ul>");
    }
    for (uint32_t i = 0; i < o->npersistence; i++) {
        const ap_persistence_item *pi = &o->persistence[i];
        ap_html__put(h, i ? "<br>" : "<p>Persistence: ");
        ap_html__node_link(h, ap_graph_node(g, pi->node)->id);
        ap_html__put(h, pi->mint ? " (it can mint credentials for it)" : " (a credential that "
                     "outlives the plan or the contract)");
        if (i + 1 == o->npersistence)
            ap_html__put(h, "</p>");
    }
    if ((rc = ap_diagram_offboard(&d, g, r->a, o, err)) == AP_OK)
        diagram(h, g, d);
    ap_diagram_free(d);
    ap_offboard_free(o);
    return rc;
}

static int partner_section(ap_html *h, const ap_graph *g, const ranked *r,
                           const ap_findings *f, const ap_usage *u, ap_error *err)
{
    uint32_t p = r->partner;
    char *anchor = ap_diagram_anchor(ap_graph_node(g, p)->id), *bar;
    const char *attrs[] = { "tier", "purpose", "sponsor", "owner", "contract_ends", "state" };
    int rc;
    if (anchor == NULL)
        return ap_error_nomem(err);
    ap_html__put(h, "<section class=\"partner\" id=\"p-");
    ap_html__put(h, anchor);
    free(anchor);
    ap_html__put(h, "\"><h2>");
    ap_html__text(h, ap_graph_node_label(g, p));
    ap_html__put(h, " <span class=\"id\">(");
    ap_html__node_link(h, ap_graph_node(g, p)->id);
    ap_html__put(h, ")</span></h2><p>");
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        const char *v = ap_graph_node_str(g, p, attrs[i]);
        if (v == NULL)
            continue;
        ap_html__text(h, attrs[i]);
        ap_html__put(h, ": ");
        ap_html__text(h, v);
        ap_html__put(h, "<br>");
    }
    ap_html__printf(h, "blast-radius score %lld ", (long long)r->b->score);
    if ((bar = ap_report_score_svg(r->part, r->b->score)) == NULL)
        return ap_error_nomem(err);
    ap_html__put(h, bar);
    free(bar);
    ap_html__put(h, "</p>");
    if ((rc = authority_part(h, g, r, err)) < 0 || (rc = delegation_part(h, g, p, err)) < 0
        || (rc = paths_part(h, g, r, err)) < 0 || (rc = offboard_part(h, g, r, err)) < 0)
        return rc;
    ap_report__findings_part(h, g, f, p, u != NULL);
    if (u != NULL)
        ap_report__drift_part(h, f, p, u);
    ap_html__put(h, "</section>");
    return AP_OK;
}

/* The node index: every node a section names, with what the inventory says of it. */
static void node_index(ap_html *h, const ap_graph *g, const unsigned char *named)
{
    ap_html__put(h, "<section id=\"nodes\"><h2>Node index</h2><table><tr><th>id</th>"
                    "<th>kind</th><th>name</th><th>sensitivity</th><th>source</th></tr>");
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        char *anchor;
        if (!named[v] || (anchor = ap_diagram_anchor(nd->id)) == NULL)
            continue;
        ap_html__put(h, "<tr id=\"n-");
        ap_html__put(h, anchor);
        ap_html__put(h, "\"><td class=\"id\">");
        if (nd->kind == AP_KIND_PARTNER && named[v] == 2) {
            ap_html__put(h, "<a href=\"#p-");
            ap_html__put(h, anchor);
            ap_html__put(h, "\">");
            ap_html__text(h, nd->id);
            ap_html__put(h, "</a>");
        } else {
            ap_html__text(h, nd->id);
        }
        free(anchor);
        ap_html__put(h, "</td><td>");
        ap_html__text(h, ap_kind_name(nd->kind));
        ap_html__put(h, "</td><td>");
        ap_html__text(h, ap_graph_node_str(g, v, "name"));
        ap_html__put(h, "</td><td>");
        if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
            ap_html__text(h, ap_sensitivity_name(nd->sensitivity));
        ap_html__put(h, "</td><td>");
        ap_report__source_of(h, g, nd->file, nd->line, nd->col);
        ap_html__put(h, "</td></tr>");
    }
    ap_html__put(h, "</table></section>");
}

static void summary(ap_html *h, const ap_graph *g, const ap_report_opts *o, const ranked *r,
                    size_t n, size_t nsections)
{
    char at[40];
    int64_t max = 0;
    ap_time_format(at, sizeof at, ap_graph_at(g));
    ap_html__printf(h, "<h1>Partner access evidence pack</h1><p>Snapshot %lld",
                    (long long)ap_graph_snapshot(g));
    if (o->snapshot_label != NULL) {
        ap_html__put(h, " (");
        ap_html__text(h, o->snapshot_label);
        ap_html__put(h, ")");
    }
    if (o->snapshot_created != NULL) {
        ap_html__put(h, ", imported ");
        ap_html__text(h, o->snapshot_created);
    }
    ap_html__put(h, "; authority evaluated at ");
    ap_html__text(h, at);
    ap_html__put(h, ".</p>");
    if (o->nsources > 0) {
        ap_html__put(h, "<p>Sources:</p><ul>");
        for (size_t i = 0; i < o->nsources; i++) {
            const char *sha = o->source_hashes != NULL ? o->source_hashes[i] : NULL;
            ap_html__put(h, "<li><code>");
            ap_html__text(h, o->sources[i]);
            ap_html__put(h, "</code>");
            if (sha != NULL) {
                ap_html__put(h, " SHA-256 <code>");
                ap_html__text(h, sha);
                ap_html__put(h, "</code>");
            }
            ap_html__put(h, "</li>");
        }
        ap_html__put(h, "</ul>");
    }
    for (size_t i = 0; i < n; i++)
        max = r[i].b->score > max ? r[i].b->score : max;
    ap_html__put(h, "<h2>Partners by blast-radius score</h2><table><tr><th>rank</th>"
                    "<th>partner</th><th>score</th><th>by sensitivity</th><th>reach</th>"
                    "<th>critical</th><th>restricted</th><th>confidential</th></tr>");
    for (size_t i = 0; i < n; i++) {
        const ap_blast *b = r[i].b;
        char *bar = ap_report_score_svg(r[i].part, max);
        uint32_t reach = 0;
        for (int k = 0; k < AP_KIND_COUNT; k++)
            reach += b->by_kind[k];
        ap_html__printf(h, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        partner_link(h, g, r[i].partner, i < nsections);
        ap_html__printf(h, "</td><td class=\"n\">%lld</td><td>", (long long)b->score);
        if (bar == NULL)
            h->failed = true;
        else
            ap_html__put(h, bar);
        free(bar);
        ap_html__printf(h, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td>"
                        "<td class=\"n\">%u</td><td class=\"n\">%u</td></tr>", reach,
                        b->by_sens[AP_SENS_CRITICAL], b->by_sens[AP_SENS_RESTRICTED],
                        b->by_sens[AP_SENS_CONFIDENTIAL]);
    }
    ap_html__put(h, "</table>");
    if (nsections < n)
        ap_html__printf(h, "<p class=\"note\">Sections follow for the %zu highest ranked of the "
                        "%zu partners; <code>authpath report PARTNER...</code> writes the "
                        "others'.</p>", nsections, n);
}

/* Mark every node a partner's section names (its reach, itself); partners with a section 2.
 * One authority at a time: twenty of a wide estate's held together with the findings passed
 * 2 GiB at S=100 dense. */
static int mark_named(unsigned char *named, const ap_graph *g, const ranked *r, size_t n,
                      ap_error *err)
{
    for (size_t i = 0; i < n; i++) {
        ap_authority *a = NULL;
        int rc = ap_authority_compute(&a, g, r[i].partner, err);
        if (rc < 0)
            return rc;
        for (uint32_t k = 0; k < a->nreach; k++)
            named[a->reach[k]] = named[a->reach[k]] ? named[a->reach[k]] : 1;
        ap_authority_free(a);
    }
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER && !named[v])
            named[v] = 1;
    for (size_t i = 0; i < n; i++)
        named[r[i].partner] = 2;
    return AP_OK;
}

/* The report into h: kept whole, or (h->sink) written out as it grows. */
static int report(ap_html *hp, const ap_graph *g, const ap_report_opts *opts, ap_error *err)
{
    uint32_t nn = ap_graph_node_count(g);
    ranked *r = calloc(nn + opts->npartners + 1, sizeof *r);
    unsigned char *named = calloc(nn + 1, 1);
    ap_findings *f = NULL;
    ap_findings_opts fo = { opts->policy, NULL, 0, -1, AP_SEV_NONE };
    /* drift only when there are events; without, the report is as before */
    const ap_usage *usage = opts->usage != NULL && ap_usage_any(opts->usage) ? opts->usage : NULL;
    ap_weights wd;
    const ap_weights *w = opts->policy != NULL ? &opts->policy->weights : &wd;
    size_t n = 0, nsections = 0;
    int rc = AP_OK;
    ap_weights_default(&wd);
    if (r == NULL || named == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < nn && opts->partners == NULL; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            r[n++].partner = v;
    for (size_t i = 0; opts->partners != NULL && i < opts->npartners; i++)
        r[n++].partner = opts->partners[i];
    /* the ranking's counts from the all-partners kernel (ap_blast_compute's, as `partners`),
     * no lists; the authorities only of the partners with a section: one authority and blast
     * per partner took 412 CPU-s and 2 GB at S=100 dense and had not ranked them yet */
    if ((rc = rank_counts(r, n, g, w, opts->threads, err)) < 0)
        goto cleanup;
    if (opts->partners == NULL)
        qsort(r, n, sizeof *r, rank_cmp);
    nsections = opts->partners == NULL && n > REPORT_MAX_SECTIONS ? REPORT_MAX_SECTIONS : n;
    if ((rc = ap_findings_compute_observed(&f, g, &fo, usage, err)) < 0
        || (rc = mark_named(named, g, r, nsections, err)) < 0)
        goto cleanup;
    ap_query__release_memory();     /* the findings' runs: 0.6 GB on the cyclic S=100 shape */
    ap_html__put(hp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                     "'none'; style-src 'unsafe-inline'; img-src data:\">"
                     "<title>authpath evidence pack</title><style>");
    ap_html__put(hp, style);
    ap_html__put(hp, "</style></head><body>\n");
    summary(hp, g, opts, r, n, nsections);
    for (size_t i = 0; i < nsections; i++) {     /* a section's authority while it is written */
        if ((rc = ap_authority_compute(&r[i].a, g, r[i].partner, err)) < 0
            || (rc = partner_section(hp, g, &r[i], f, usage, err)) < 0)
            goto cleanup;
        ap_authority_free(r[i].a);
        r[i].a = NULL;
        ap_query__release_memory();
        ap_html__put(hp, "\n");
    }
    node_index(hp, g, named);
    ap_html__put(hp, "\n<p class=\"note\">Written by authpath. Every chain above is a witness: "
                     "replaying it delivers the rights it is shown with.</p></body></html>\n");
    ap_html__flush(hp);
    if (hp->failed)
        rc = hp->sink != NULL ? ap_error_set(err, AP_EIO, "cannot write the report")
                              : ap_error_nomem(err);
cleanup:
    for (size_t i = 0; r != NULL && i < n; i++) {
        ap_authority_free(r[i].a);
        ap_blast_free(r[i].b);
    }
    free(r);
    free(named);
    ap_findings_free(f);
    return rc;
}

int ap_report_html(char **out, size_t *len, const ap_graph *g, const ap_report_opts *opts,
                   ap_error *err)
{
    ap_html h = { NULL, 0, 0, false, NULL };
    int rc = report(&h, g, opts, err);
    *out = rc == AP_OK ? h.s : NULL;
    *len = rc == AP_OK ? h.len : 0;
    if (rc != AP_OK)
        free(h.s);
    return rc;
}

int ap_report_html_write(FILE *out, const ap_graph *g, const ap_report_opts *opts,
                         ap_error *err)
{
    ap_html h = { NULL, 0, 0, false, out };
    int rc = report(&h, g, opts, err);
    free(h.s);
    return rc;
}
