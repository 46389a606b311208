/* query/render/dot_style.c: what a diagram looks like: the attributes it declares, each kind's
 * shape, each sensitivity's fill, each mark's colour and line, and the legend that says so. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dot_internal.h"

static const char *const kind_shape[AP_KIND_COUNT] = {
    "house", "ellipse", "note", "hexagon", "cylinder", "component"
};
static const char *const kind_shape_words[AP_KIND_COUNT] = {
    "house", "ellipse", "note (folded corner)", "hexagon", "cylinder", "component (box with tabs)"
};
static const char *const sens_fill[AP_SENS_COUNT] = {
    "#e8f5e9", "#e3f2fd", "#fff59d", "#ffcc80", "#ef9a9a"
};
#define PARTNER_FILL "#d1c4e9"
#define PLAIN_FILL "#ffffff"
#define ESCALATION_COLOR "#d32f2f"
#define LOOP_COLOR "#7b1fa2"
#define EXPIRED_COLOR "#d32f2f"
#define CUT_COLOR "#e65100"

void ap_dot__declare(Agraph_t *g, ap_dot_attrs *at)
{
    ap_dot__decl(g, AGRAPH, "linelength", "0");    /* agwrite must not split long strings */
    at->g_rankdir = ap_dot__decl(g, AGRAPH, "rankdir", "LR");
    ap_dot__decl(g, AGRAPH, "labelloc", "t");
    ap_dot__decl(g, AGRAPH, "ranksep", "0.15");    /* tighter than Graphviz's 0.5 and 0.25 */
    ap_dot__decl(g, AGRAPH, "nodesep", "0.15");    /* inch: a diagram must fit a page */
    ap_dot__decl(g, AGRAPH, "fontname", "Helvetica");
    ap_dot__decl(g, AGRAPH, "fontsize", "11");
    at->g_label = ap_dot__decl(g, AGRAPH, "label", "");
    at->c_style = ap_dot__decl(g, AGRAPH, "style", "");
    at->c_fill = ap_dot__decl(g, AGRAPH, "fillcolor", "");
    at->c_color = ap_dot__decl(g, AGRAPH, "color", "");
    at->c_label = at->g_label;
    ap_dot__decl(g, AGNODE, "fontname", "Helvetica");
    ap_dot__decl(g, AGNODE, "fontsize", "10");
    at->n_label = ap_dot__decl(g, AGNODE, "label", "\\N");
    at->n_shape = ap_dot__decl(g, AGNODE, "shape", "box");
    at->n_style = ap_dot__decl(g, AGNODE, "style", "filled");
    at->n_fill = ap_dot__decl(g, AGNODE, "fillcolor", PLAIN_FILL);
    at->n_color = ap_dot__decl(g, AGNODE, "color", "black");
    at->n_pen = ap_dot__decl(g, AGNODE, "penwidth", "1");
    at->n_peri = ap_dot__decl(g, AGNODE, "peripheries", "1");
    at->n_tooltip = ap_dot__decl(g, AGNODE, "tooltip", "");
    at->n_margin = ap_dot__decl(g, AGNODE, "margin", "0.11,0.055");  /* Graphviz's default */
    at->n_url = NULL;           /* declared only for diagrams whose nodes link (reports) */
    ap_dot__decl(g, AGEDGE, "fontname", "Helvetica");
    ap_dot__decl(g, AGEDGE, "fontsize", "9");
    at->e_label = ap_dot__decl(g, AGEDGE, "label", "");
    at->e_color = ap_dot__decl(g, AGEDGE, "color", "black");
    at->e_style = ap_dot__decl(g, AGEDGE, "style", "solid");
    at->e_pen = ap_dot__decl(g, AGEDGE, "penwidth", "1");
    at->e_font = ap_dot__decl(g, AGEDGE, "fontcolor", "black");
    at->e_tooltip = ap_dot__decl(g, AGEDGE, "tooltip", "");
}

void ap_dot__cluster_style(Agraph_t *sg, const ap_dot_attrs *at, bool home)
{
    ap_dot__set(sg, at->c_style, "rounded,filled");
    ap_dot__set(sg, at->c_fill, home ? "#f5f8fc" : "#faf6fd");
    ap_dot__set(sg, at->c_color, "#9e9e9e");
}

void ap_dot__node_style(Agnode_t *n, const ap_dot_attrs *at, const ap_graph *g,
                        const ap_diagram_node *dn)
{
    const ap_node *nd = ap_graph_node(g, dn->node);
    const char *fill = PLAIN_FILL;
    ap_dot__set(n, at->n_shape, kind_shape[nd->kind]);
    /* a cylinder's top rim grows with its height and would strike the first line through:
     * room above (and below) the label keeps the text in the body */
    if (nd->kind == AP_KIND_RESOURCE)
        ap_dot__set(n, at->n_margin, "0.11,0.3");
    if (nd->kind == AP_KIND_PARTNER)
        fill = PARTNER_FILL;
    else if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
        fill = sens_fill[nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity];
    ap_dot__set(n, at->n_fill, fill);
    if (dn->marks & AP_MARK_SOURCE)
        ap_dot__set(n, at->n_pen, "3");
    if (dn->marks & (AP_MARK_TARGET | AP_MARK_SHARED))
        ap_dot__set(n, at->n_peri, "2");
    if (dn->marks & AP_MARK_EXPIRED_LIVE) {
        ap_dot__set(n, at->n_style, "filled,dashed");
        ap_dot__set(n, at->n_color, EXPIRED_COLOR);
        ap_dot__set(n, at->n_pen, "2");
    }
    if (dn->marks & AP_MARK_CHOKE) {
        ap_dot__set(n, at->n_style, "filled,bold");
        ap_dot__set(n, at->n_color, CUT_COLOR);
        ap_dot__set(n, at->n_pen, "3");
    }
}

void ap_dot__edge_style(Agedge_t *e, const ap_dot_attrs *at, const ap_diagram_edge *de)
{
    if (de->marks & AP_MARK_BOUNDARY)
        ap_dot__set(e, at->e_style, "dashed");
    if (de->marks & AP_MARK_LOOP) {
        ap_dot__set(e, at->e_color, LOOP_COLOR);
        ap_dot__set(e, at->e_font, LOOP_COLOR);
        ap_dot__set(e, at->e_pen, "2");
    }
    if (de->marks & AP_MARK_ESCALATION) {
        ap_dot__set(e, at->e_color, ESCALATION_COLOR);
        ap_dot__set(e, at->e_font, ESCALATION_COLOR);
        ap_dot__set(e, at->e_pen, "3");
    }
    if (de->marks & AP_MARK_CUT) {
        ap_dot__set(e, at->e_color, CUT_COLOR);
        ap_dot__set(e, at->e_font, CUT_COLOR);
        ap_dot__set(e, at->e_pen, "4");
    }
}

void ap_dot__legend(ap_strbuf *b, const ap_graph *g, const ap_diagram *d)
{
    bool kinds[AP_KIND_COUNT] = { false }, sens[AP_SENS_COUNT] = { false };
    unsigned nmarks = 0, emarks = 0;
    char row[256];
    for (uint32_t i = 0; i < d->nnodes; i++) {
        const ap_node *nd = ap_graph_node(g, d->nodes[i].node);
        kinds[nd->kind] = true;
        if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
            sens[nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity] = true;
        nmarks |= d->nodes[i].marks;
    }
    for (uint32_t i = 0; i < d->nedges; i++)
        emarks |= d->edges[i].marks;
    ap_query__put(b, "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">"
           "<TR><TD COLSPAN=\"2\"><B>legend</B></TD></TR>");
    for (int k = 0; k < AP_KIND_COUNT; k++)
        if (kinds[k]) {
            snprintf(row, sizeof row, "<TR><TD>%s</TD><TD>", kind_shape_words[k]);
            ap_query__put(b, row);
            ap_dot__put_xml(b, ap_kind_name((ap_kind)k));
            ap_query__put(b, "</TD></TR>");
        }
    for (int s = AP_SENS_COUNT - 1; s >= 0; s--)
        if (sens[s]) {
            snprintf(row, sizeof row, "<TR><TD BGCOLOR=\"%s\">fill</TD><TD>", sens_fill[s]);
            ap_query__put(b, row);
            ap_dot__put_xml(b, ap_sensitivity_name((ap_sensitivity)s));
            ap_query__put(b, " sensitivity</TD></TR>");
        }
    if (nmarks & AP_MARK_SOURCE)
        ap_query__put(b, "<TR><TD>thick border</TD><TD>the partner in question</TD></TR>");
    if (nmarks & AP_MARK_TARGET)
        ap_query__put(b, "<TR><TD>double border</TD><TD>a path target</TD></TR>");
    if (nmarks & AP_MARK_EXPIRED_LIVE)
        ap_query__put(b, "<TR><TD><FONT COLOR=\"" EXPIRED_COLOR "\">red dashed border</FONT></TD>"
               "<TD>credential still live<BR/>though its partner ended</TD></TR>");
    if (nmarks & AP_MARK_SHARED)
        ap_query__put(b, "<TR><TD>two outlines</TD><TD>credential shared across domains</TD>"
                         "</TR>");
    if (nmarks & AP_MARK_CHOKE)
        ap_query__put(b, "<TR><TD><FONT COLOR=\"" CUT_COLOR "\">bold orange border</FONT></TD>"
               "<TD>choke point: every path<BR/>to a target passes it</TD></TR>");
    if (emarks & AP_MARK_ESCALATION)
        ap_query__put(b, "<TR><TD><FONT COLOR=\"" ESCALATION_COLOR "\">bold red arrow</FONT></TD>"
               "<TD>escalation: acts with<BR/>the target's own rights</TD></TR>");
    if (emarks & AP_MARK_LOOP)
        ap_query__put(b, "<TR><TD><FONT COLOR=\"" LOOP_COLOR "\">bold purple arrow</FONT></TD>"
               "<TD>on a loop: authority<BR/>comes back around</TD></TR>");
    if (emarks & AP_MARK_CUT)
        ap_query__put(b, "<TR><TD><FONT COLOR=\"" CUT_COLOR "\">bold orange arrow</FONT></TD>"
               "<TD>minimal revocation set: revoke<BR/>these to cut the partner off</TD></TR>");
    if (emarks & AP_MARK_BOUNDARY)
        ap_query__put(b, "<TR><TD>dashed arrow</TD><TD>crosses into another domain</TD></TR>");
    if (d->ncollapsed > 0 || d->nfans > 0)
        ap_query__put(b, "<TR><TD>dashed box</TD><TD>reached but not drawn<BR/>(counted)</TD>"
                         "</TR>");
    ap_query__put(b, "<TR><TD>arrow label</TD><TD>edge kind and the<BR/>rights it carries</TD>"
                     "</TR>"
           "</TABLE>");
}
