/* query/render/dot.c: diagrams through Graphviz's own libraries, the only cgraph/gvc user. DOT
 * is built with cgraph (never printed by hand; ids and label text in dot_text.c, looks in
 * dot_style.c) and SVG, PNG and PDF are rendered by gvc in a child process (dot_render.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "authpath/diagram.h"
#include "../diagram_internal.h"
#include "dot_internal.h"

/* ---- Building the cgraph graph ---- */

typedef struct {
    const char *domain;
    Agraph_t *sg;
} cluster;

static int domain_cmp(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    bool ha = strcmp(a, "home") == 0, hb = strcmp(b, "home") == 0;
    if (ha != hb)
        return ha ? -1 : 1;             /* our own estate first */
    return strcmp(a, b);                /* domains are distinct: total */
}

/* The one domain of a fan's heads, or NULL when they are in several. */
static const char *fan_domain(const ap_graph *g, const ap_diagram_fan *f)
{
    const char *dom = ap_node_domain(g, ap_graph_edge(g, f->edges[0])->to);
    for (uint32_t k = 1; k < f->count; k++)
        if (strcmp(ap_node_domain(g, ap_graph_edge(g, f->edges[k])->to), dom) != 0)
            return NULL;
    return dom;
}

/* The domains of the shown nodes, collapsed groups and fans, home first, then by name. */
static const char **domains(const ap_graph *g, const ap_diagram *d, uint32_t *n)
{
    uint32_t total = d->nnodes + d->ncollapsed + d->nfans, k = 0;
    const char **list = malloc(((size_t)total + 1) * sizeof *list);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < total; i++) {
        const char *dom = i < d->nnodes ? ap_node_domain(g, d->nodes[i].node)
                          : i < d->nnodes + d->ncollapsed ? d->collapsed[i - d->nnodes].domain
                          : fan_domain(g, &d->fans[i - d->nnodes - d->ncollapsed]);
        bool seen = dom == NULL;        /* the sum over other domains: no cluster */
        for (uint32_t j = 0; j < k && !seen; j++)
            seen = strcmp(list[j], dom) == 0;
        if (!seen)
            list[k++] = dom;
    }
    qsort(list, k, sizeof *list, domain_cmp);
    *n = k;
    return list;
}

static void cluster_label(ap_strbuf *b, const ap_graph *g, const char *dom)
{
    int64_t p = ap_graph_find(g, dom);
    if (strcmp(dom, "home") == 0) {
        ap_query__put(b, "home\\nour estate");
        return;
    }
    if (p >= 0 && ap_graph_node(g, (uint32_t)p)->kind == AP_KIND_PARTNER) {
        ap_dot__put_esc_max(b, ap_graph_node_label(g, (uint32_t)p), AP_DOT_NAME_MAX);
        ap_query__put(b, "\\npartner side");
        return;
    }
    ap_dot__put_esc_max(b, dom, AP_DOT_NAME_MAX);
    ap_query__put(b, "\\ndomain");
}

static void node_label(ap_strbuf *b, const ap_graph *g, const ap_diagram_node *dn)
{
    const ap_node *nd = ap_graph_node(g, dn->node);
    const char *name = ap_graph_node_label(g, dn->node);
    const char *type = ap_graph_node_str(g, dn->node, "type");
    ap_dot__put_esc_wrap(b, name, AP_DOT_NAME_MAX, AP_DOT_WRAP);
    ap_query__put(b, "\\n");
    ap_query__put(b, ap_kind_name(nd->kind));
    if (type != NULL && type[0] != '\0') {
        ap_query__put(b, ": ");
        ap_dot__put_esc_max(b, type, AP_DOT_NAME_MAX);
    }
    if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW) {
        ap_query__put(b, ", ");
        ap_query__put(b, ap_sensitivity_name(nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL
                                                                   : nd->sensitivity));
    }
    if (strcmp(name, nd->id) != 0) {
        ap_query__put(b, "\\nid ");
        ap_dot__put_esc_wrap(b, nd->id, AP_DOT_NAME_MAX, AP_DOT_WRAP);
    }
    if (dn->marks & AP_MARK_EXPIRED_LIVE)
        ap_query__put(b, "\\nSTILL LIVE: partner ended");
    if (dn->marks & AP_MARK_SHARED)
        ap_query__put(b, "\\nSHARED credential");
    if (dn->marks & AP_MARK_CHOKE)
        ap_query__put(b, "\\nCHOKE POINT");
}

static void rights_text(ap_strbuf *b, const ap_vocab *voc, ap_rights r)
{
    r &= ap_vocab_all(voc);
    if (r == ap_vocab_all(voc)) {
        ap_query__put(b, "all rights");
        return;
    }
    if (r == 0) {
        ap_query__put(b, "no rights");
        return;
    }
    size_t start = b->len;
    unsigned shown = 0, left = 0;
    for (unsigned i = 0; i < voc->count; i++)
        if (r >> i & 1) {
            if (b->len - start > AP_DOT_RIGHTS_MAX) {
                left++;
                continue;
            }
            ap_query__put(b, shown > 0 ? ", " : "");
            ap_dot__put_esc_max(b, voc->names[i], AP_DOT_RIGHT_MAX);
            shown++;
        }
    if (left > 0) {
        char more[32];
        snprintf(more, sizeof more, ", +%u more", left);
        ap_query__put(b, more);
    }
}

/* An edge's label; count > 1 for a fan of that many parallel edges like de. */
static void edge_label(ap_strbuf *b, const ap_graph *g, const ap_diagram_edge *de,
                       uint32_t count)
{
    const ap_edge *e = ap_graph_edge(g, de->edge);
    char n[48];
    ap_query__put(b, ap_edge_kind_name(e->kind));
    if (count > 1) {
        snprintf(n, sizeof n, ", %u edges", count);
        ap_query__put(b, n);
    }
    /* the marks on the first line, beside the kind: a label of two lines keeps ranks low */
    if (de->marks & AP_MARK_ESCALATION)
        ap_query__put(b, ", ESCALATES");
    if (de->marks & AP_MARK_LOOP)
        ap_query__put(b, ", LOOP");
    if (de->marks & AP_MARK_CUT)
        ap_query__put(b, "\\nCUT: revoke");
    ap_query__put(b, "\\n");
    rights_text(b, ap_graph_vocab(g), de->rights);
}

static Agnode_t *make_node(Agraph_t *sg, const char *prefix, uint32_t i)
{
    char name[32];
    snprintf(name, sizeof name, "%s%u", prefix, i);   /* synthetic: ids are data, not names */
    return agnode(sg, name, 1);
}

static const char *const diagram_cmd[] = {
    "authority", "blast-radius", "paths", "delegation", "offboard"
};

/* Where the full list of what a box leaves out is: the report's authority table (in a report)
 * and the command's JSON. */
static void full_list(ap_strbuf *b, const ap_graph *g, const ap_diagram *d)
{
    ap_query__put(b, "\\nfull list:\\n");
    if (d->link_prefix != NULL)
        ap_query__put(b, "the Authority table,\\nor ");
    ap_query__put(b, "authpath ");
    ap_query__put(b, diagram_cmd[d->kind]);
    if (d->source >= 0 && d->kind != AP_DIAGRAM_DELEGATION) {
        ap_query__put(b, " ");
        ap_dot__put_esc_wrap(b, ap_graph_node(g, (uint32_t)d->source)->id, AP_DOT_NAME_MAX,
                             AP_DOT_WRAP);
    }
    ap_query__put(b, "\\n--format json");
}

/* "(3 identity, 2 role)": how many of each kind. */
static void by_kind_text(ap_strbuf *b, const uint32_t by_kind[AP_KIND_COUNT])
{
    char line[64];
    bool first = true;
    ap_query__put(b, "(");
    for (int kind = 0; kind < AP_KIND_COUNT; kind++)
        if (by_kind[kind] > 0) {
            snprintf(line, sizeof line, "%s%u %s", first ? "" : ", ", by_kind[kind],
                     ap_kind_name((ap_kind)kind));
            ap_query__put(b, line);
            first = false;
        }
    ap_query__put(b, ")");
}

/* The box of collapsed group k in sg: how many nodes of which kinds were left out. */
static int collapsed_node(Agraph_t *sg, const ap_dot_attrs *at, const ap_graph *g,
                          const ap_diagram *d, uint32_t k, ap_strbuf *b)
{
    const ap_diagram_collapsed *col = &d->collapsed[k];
    char line[96];
    Agnode_t *n = make_node(sg, "collapsed", k);
    if (n == NULL)
        return -1;
    b->len = 0;
    snprintf(line, sizeof line, "+%u more reached\\n", col->total);
    ap_query__put(b, line);
    if (col->domain == NULL) {
        snprintf(line, sizeof line, "in %u other domains\\n", d->collapsed_domains);
        ap_query__put(b, line);
    }
    ap_query__put(b, "not on a shown path\\n");
    by_kind_text(b, col->by_kind);
    full_list(b, g, d);
    if (b->failed)
        return -1;
    ap_dot__set(n, at->n_label, b->s);
    ap_dot__set(n, at->n_style, "dashed");
    return 0;
}

/* Fan k: one box for its heads in sg, one edge to it from its tail, labelled with the count. */
static int fan_node(Agraph_t *root, Agraph_t *sg, const ap_dot_attrs *at, const ap_graph *g,
                    const ap_diagram *d, uint32_t k, Agnode_t *const *made, ap_strbuf *b)
{
    const ap_diagram_fan *f = &d->fans[k];
    const ap_diagram_edge de = { f->edges[0], f->rights, f->marks, 0 };
    char line[96];
    Agnode_t *tail = NULL, *n = make_node(sg, "fan", k);
    for (uint32_t i = 0; i < d->nnodes && tail == NULL; i++)
        if (d->nodes[i].node == f->tail)
            tail = made[i];
    if (n == NULL || tail == NULL)
        return -1;
    b->len = 0;
    snprintf(line, sizeof line, "+%u more reached\\nat the heads of these edges\\n", f->count);
    ap_query__put(b, line);
    by_kind_text(b, f->by_kind);
    full_list(b, g, d);
    if (b->failed)
        return -1;
    ap_dot__set(n, at->n_label, b->s);
    ap_dot__set(n, at->n_style, "dashed");
    Agedge_t *ae = agedge(root, tail, n, NULL, 1);
    b->len = 0;
    ap_query__put(b, "");
    edge_label(b, g, &de, f->count);
    if (ae == NULL || b->failed)
        return -1;
    ap_dot__set(ae, at->e_label, b->s);
    ap_dot__edge_style(ae, at, &de);
    return 0;
}

/* The whole diagram as a cgraph graph, created in sorted order: clusters by domain, nodes by
 * index within each, edges by index, so that agwrite and the layout see the same sequence. */
static Agraph_t *build(const ap_graph *g, const ap_diagram *d, ap_error *err)
{
    /* cgraph keeps the discipline for the graph's life and never writes to it */
    static const Agdisc_t disc = { &AgMemDisc, (Agiddisc_t *)&ap_dot__ids, &AgIoDisc };
    Agraph_t *root = agopen((char *)"authpath", Agdirected, (Agdisc_t *)&disc);
    Agnode_t **made = NULL;
    const char **doms = NULL;
    uint32_t ndoms = 0;
    ap_strbuf b = { NULL, 0, 0, false };
    ap_dot_attrs at;
    if (root == NULL) {
        ap_error_nomem(err);
        return NULL;
    }
    ap_dot__declare(root, &at);
    if (d->rankdir != NULL)
        ap_dot__set(root, at.g_rankdir, d->rankdir);
    if (d->link_prefix != NULL)
        at.n_url = ap_dot__decl(root, AGNODE, "URL", "");
    if ((doms = domains(g, d, &ndoms)) == NULL
        || (made = calloc((size_t)d->nnodes + 1, sizeof *made)) == NULL)
        goto nomem;
    for (uint32_t c = 0; c < ndoms; c++) {
        char name[32];
        snprintf(name, sizeof name, "cluster_%u", c);
        Agraph_t *sg = agsubg(root, name, 1);
        b.len = 0;
        ap_query__put(&b, "");
        cluster_label(&b, g, doms[c]);
        if (sg == NULL || b.failed)
            goto nomem;
        ap_dot__set(sg, at.c_label, b.s);
        ap_dot__cluster_style(sg, &at, strcmp(doms[c], "home") == 0);
        for (uint32_t i = 0; i < d->nnodes; i++) {
            const ap_diagram_node *dn = &d->nodes[i];
            if (strcmp(ap_node_domain(g, dn->node), doms[c]) != 0)
                continue;
            if ((made[i] = make_node(sg, "n", dn->node)) == NULL)
                goto nomem;
            b.len = 0;
            ap_query__put(&b, "");
            node_label(&b, g, dn);
            if (b.failed)
                goto nomem;
            ap_dot__set(made[i], at.n_label, b.s);
            b.len = 0;          /* the id in full (up to a bound) where the label cuts it */
            ap_query__put(&b, "");
            ap_dot__put_esc_max(&b, ap_graph_node(g, dn->node)->id, AP_DOT_TOOLTIP_MAX);
            if (b.failed)
                goto nomem;
            ap_dot__set(made[i], at.n_tooltip, b.s);
            ap_dot__node_style(made[i], &at, g, dn);
            if (d->link_prefix != NULL) {
                char *anchor = ap_diagram_anchor(ap_graph_node(g, dn->node)->id);
                if (anchor == NULL)
                    goto nomem;
                b.len = 0;
                ap_query__put(&b, d->link_prefix);
                ap_query__put(&b, anchor);
                free(anchor);
                if (b.failed)
                    goto nomem;
                ap_dot__set(made[i], at.n_url, b.s);
            }
        }
        for (uint32_t k = 0; k < d->ncollapsed; k++)
            if (d->collapsed[k].domain != NULL && strcmp(d->collapsed[k].domain, doms[c]) == 0
                && collapsed_node(sg, &at, g, d, k, &b) < 0)
                goto nomem;
    }
    for (uint32_t k = 0; k < d->ncollapsed; k++)
        if (d->collapsed[k].domain == NULL && collapsed_node(root, &at, g, d, k, &b) < 0)
            goto nomem;
    for (uint32_t i = 0; i < d->nedges; i++) {
        const ap_diagram_edge *de = &d->edges[i];
        const ap_edge *e = ap_graph_edge(g, de->edge);
        Agnode_t *t = NULL, *h = NULL;
        for (uint32_t k = 0; k < d->nnodes; k++) {     /* shown lists are short */
            if (d->nodes[k].node == e->from)
                t = made[k];
            if (d->nodes[k].node == e->to)
                h = made[k];
        }
        if (t == NULL || h == NULL) {
            ap_error_set(err, AP_EBUG, "diagram edge %u has an end that is not shown", de->edge);
            goto fail;
        }
        Agedge_t *ae = agedge(root, t, h, NULL, 1);
        b.len = 0;
        ap_query__put(&b, "");
        edge_label(&b, g, de, 1);
        if (ae == NULL || b.failed)
            goto nomem;
        ap_dot__set(ae, at.e_label, b.s);
        ap_dot__edge_style(ae, &at, de);
    }
    for (uint32_t k = 0; k < d->nfans; k++) {
        const char *dom = fan_domain(g, &d->fans[k]);
        Agraph_t *sg = root;
        for (uint32_t c = 0; c < ndoms && dom != NULL; c++)
            if (strcmp(doms[c], dom) == 0) {
                char name[32];
                snprintf(name, sizeof name, "cluster_%u", c);
                sg = agsubg(root, name, 0);
            }
        if (sg == NULL || fan_node(root, sg, &at, g, d, k, made, &b) < 0)
            goto nomem;
    }
    /* title, subtitle and notes */
    b.len = 0;
    ap_query__put(&b, "");
    ap_dot__put_esc_max(&b, d->title, AP_DOT_TITLE_MAX);
    ap_query__put(&b, "\\n");
    ap_dot__put_esc_max(&b, d->subtitle, AP_DOT_TITLE_MAX);
    if (d->note != NULL) {
        ap_query__put(&b, "\\n");
        ap_dot__put_esc_wrap(&b, d->note, AP_DOT_NOTE_MAX, AP_DOT_NOTE_WRAP);
    }
    if (b.failed)
        goto nomem;
    ap_dot__set(root, at.g_label, b.s);
    /* the legend last: fixed words in an HTML-like label */
    b.len = 0;
    ap_query__put(&b, "");
    ap_dot__legend(&b, g, d);
    Agnode_t *leg = agnode(root, (char *)"legend", 1);
    char *html = b.failed ? NULL : agstrdup_html(root, b.s);
    if (leg == NULL || html == NULL)
        goto nomem;
    ap_dot__set(leg, at.n_label, html);
    agstrfree(root, html);
    ap_dot__set(leg, at.n_shape, "plaintext");
    ap_dot__set(leg, at.n_style, "");
    ap_dot__set(leg, at.n_peri, "0");
    free(b.s);
    free(made);
    free(doms);
    return root;
nomem:
    ap_error_nomem(err);
fail:
    free(b.s);
    free(made);
    free(doms);
    agclose(root);
    return NULL;
}

/* cairo stamps PDFs with the wall clock: put the diagram's own time there instead (same
 * length, so the cross-reference offsets stay right). */
static void pdf_fix_date(char *data, size_t len, int64_t at)
{
    static const char key[] = "/CreationDate (D:";
    char stamp[32], iso[32];
    size_t klen = sizeof key - 1;
    ap_time_format(iso, sizeof iso, at);     /* YYYY-MM-DDTHH:MM:SSZ */
    snprintf(stamp, sizeof stamp, "%.4s%.2s%.2s%.2s%.2s%.2s", iso, iso + 5, iso + 8, iso + 11,
             iso + 14, iso + 17);
    for (size_t i = 0; i + klen + 14 <= len; i++)
        if (memcmp(data + i, key, klen) == 0) {
            bool digits = true;
            for (size_t k = 0; k < 14 && digits; k++)
                digits = data[i + klen + k] >= '0' && data[i + klen + k] <= '9';
            if (digits)
                memcpy(data + i + klen, stamp, 14);
        }
}

static int graphviz_error(ap_error *err, const char *what)
{
    char *msg = aglasterr();
    size_t n = msg != NULL ? strlen(msg) : 0;
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    ap_error_set(err, AP_EBUG, "graphviz: %s%s%s", what, n > 0 ? ": " : "",
                 n > 0 ? msg : "");
    free(msg);
    return AP_EBUG;
}

static int write_dot(char **out, size_t *len, Agraph_t *root, ap_error *err)
{
    char *data = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&data, &size);
    if (mem == NULL)
        return ap_error_nomem(err);
    int bad = agwrite(root, mem) != 0;
    if (fclose(mem) != 0 || data == NULL || bad) {
        free(data);
        return bad ? graphviz_error(err, "cannot write DOT") : ap_error_nomem(err);
    }
    *out = data;
    *len = size;
    return AP_OK;
}

static int write_rendered(char **out, size_t *len, Agraph_t *root, const char *format,
                          int64_t at, ap_error *err)
{
    int rc = ap_dot__render(out, len, root, format, err);
    if (rc == AP_OK && strcmp(format, "pdf") == 0)
        pdf_fix_date(*out, *len, at);
    return rc;
}

int ap_diagram__measure_svg(double *width, double *height, char **svg, size_t *len,
                            const ap_graph *g, const ap_diagram *d, ap_error *err)
{
    Agraph_t *root;
    int rc;
    *width = *height = 0;
    *svg = NULL;
    *len = 0;
    agerrlevel_t level = agseterr(AGMAX);
    if ((root = build(g, d, err)) == NULL) {
        agseterr(level);
        return err != NULL ? err->code : AP_ENOMEM;
    }
    rc = ap_dot__render(svg, len, root, "svg", err);
    agclose(root);
    agseterr(level);
    if (rc < 0)
        return rc;
    /* Graphviz writes the drawing's size in points on the <svg> element */
    const char *p = strstr(*svg, "<svg width=\"");
    if (p == NULL || sscanf(p, "<svg width=\"%lfpt\" height=\"%lfpt\"", width, height) != 2) {
        free(*svg);
        *svg = NULL;
        *len = 0;
        rc = ap_error_set(err, AP_EBUG, "graphviz: no drawing size in the SVG");
    }
    return rc;
}

int ap_diagram__in_renderer(char **out, size_t *len, int (*work)(void *ctx, int fd), void *ctx,
                            ap_error *err)
{
    return ap_dot__in_child(out, len, work, ctx, err);
}

int ap_diagram__write_all(int fd, const char *data, size_t len)
{
    return ap_dot__write_all(fd, data, len);
}

int ap_diagram_measure(double *width, double *height, const ap_graph *g, const ap_diagram *d,
                       ap_error *err)
{
    char *svg = NULL;
    size_t len = 0;
    int rc = ap_diagram__measure_svg(width, height, &svg, &len, g, d, err);
    free(svg);
    return rc;
}

int ap_diagram_render(char **out, size_t *len, const ap_graph *g, const ap_diagram *d,
                      const char *format, ap_error *err)
{
    bool dot = strcmp(format, "dot") == 0;
    Agraph_t *root;
    int rc;
    *out = NULL;
    *len = 0;
    if (!dot && strcmp(format, "svg") != 0 && strcmp(format, "png") != 0
        && strcmp(format, "pdf") != 0)
        return ap_error_set(err, AP_EBUG, "unknown diagram format '%s'", format);
    /* Graphviz reports through a process-wide level: keep it quiet, restore it after */
    agerrlevel_t level = agseterr(AGMAX);
    if ((root = build(g, d, err)) == NULL) {
        agseterr(level);
        return err != NULL ? err->code : AP_ENOMEM;
    }
    rc = dot ? write_dot(out, len, root, err)
             : write_rendered(out, len, root, format, ap_graph_at(g), err);
    agclose(root);
    agseterr(level);
    return rc;
}
