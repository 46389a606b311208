/* query/diagram_fit.c: cutting a diagram down to a page. Lays it out both ways up, collapses
 * fans of parallel edges, then drops the highest tiers (counting what they held) until the
 * drawing fits A3 with no text under 8 pt; Graphviz measures (every layout of a fit in one
 * renderer child), this file only decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagram_internal.h"

/* Marks that make a node or edge worth drawing by itself: never folded into a fan. */
#define FAN_KEEP_NODE (AP_MARK_SOURCE | AP_MARK_TARGET | AP_MARK_EXPIRED_LIVE | AP_MARK_SHARED \
                       | AP_MARK_LOOP | AP_MARK_CHOKE)
#define FAN_KEEP_EDGE (AP_MARK_LOOP | AP_MARK_CUT)

/* How far a drawing of width x height points must shrink to fit the page either way up
 * (1 when it fits as it is). */
static double page_scale(double w, double h)
{
    double s1 = AP_DIAGRAM_PAGE_LONG_PT / w, s2 = AP_DIAGRAM_PAGE_SHORT_PT / h;
    double t1 = AP_DIAGRAM_PAGE_SHORT_PT / w, t2 = AP_DIAGRAM_PAGE_LONG_PT / h;
    double a = s1 < s2 ? s1 : s2, b = t1 < t2 ? t1 : t2;
    double s = a > b ? a : b;
    return s > 1 ? 1 : s;
}

static bool scale_fits(double s)
{
    return s * AP_DIAGRAM_FONT_MIN_PT >= AP_DIAGRAM_PAGE_MIN_FONT_PT;
}

/* More nodes than the page can hold whatever their layout, never laid out to find that out: a
 * node is at least Graphviz's 54 x 36 pt with 0.15 in between, and the page at the smallest
 * shrink allowed (8 / 9) is 1,340 x 947 pt, room for 418 at best (a hub's 10,000 targets took
 * Graphviz past its CPU limit before the fit could cut them down). */
#define FIT_MAX_NODES 1000

/* The note of a page that does not fit even at its fewest tiers. */
#define FIT_TOO_LARGE "larger than an A3 page at 8 pt even so: only what must be shown is drawn"

/* The nodes of d in tiers 0..k. */
static uint32_t nodes_upto(const ap_diagram *d, uint32_t k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nnodes; i++)
        n += d->nodes[i].tier <= k;
    return n;
}

/* A copy of d's lists, title and notes (fans are not copied: d has none here). */
static ap_diagram *copy_of(const ap_diagram *d)
{
    ap_diagram *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *d;
    c->title = c->subtitle = c->note = NULL;
    c->nodes = NULL;
    c->edges = NULL;
    c->collapsed = NULL;
    c->fans = NULL;
    c->nfans = 0;
    c->title = strdup(d->title);
    c->subtitle = strdup(d->subtitle);
    c->note = d->note != NULL ? strdup(d->note) : NULL;
    c->nodes = malloc(((size_t)d->nnodes + 1) * sizeof *c->nodes);
    c->edges = malloc(((size_t)d->nedges + 1) * sizeof *c->edges);
    /* one more group per node at most: the dropped ones are counted into groups */
    c->collapsed = malloc(((size_t)d->ncollapsed + d->nnodes + 1) * sizeof *c->collapsed);
    if (c->title == NULL || c->subtitle == NULL || (d->note != NULL && c->note == NULL)
        || c->nodes == NULL || c->edges == NULL || c->collapsed == NULL) {
        ap_diagram_free(c);
        return NULL;
    }
    if (d->ncollapsed > 0)
        memcpy(c->collapsed, d->collapsed, d->ncollapsed * sizeof *c->collapsed);
    return c;
}

static int collapsed_cmp(const void *x, const void *y)
{
    const ap_diagram_collapsed *a = x, *b = y;
    if ((a->domain != NULL) != (b->domain != NULL))
        return a->domain != NULL ? -1 : 1;      /* "in other domains" last */
    return a->domain != NULL ? strcmp(a->domain, b->domain) : 0;
}

/* Count node v, left out, in its domain's group (made when there is none). */
static void count_left_out(ap_diagram *c, const ap_graph *g, uint32_t v)
{
    const char *dom = ap_node_domain(g, v);
    ap_diagram_collapsed *grp = NULL;
    for (uint32_t k = 0; k < c->ncollapsed && grp == NULL; k++)
        if (c->collapsed[k].domain != NULL && strcmp(c->collapsed[k].domain, dom) == 0)
            grp = &c->collapsed[k];
    if (grp == NULL) {
        grp = &c->collapsed[c->ncollapsed++];
        memset(grp, 0, sizeof *grp);
        grp->domain = dom;
    }
    grp->by_kind[ap_graph_node(g, v)->kind]++;
    grp->total++;
    c->collapsed_nodes++;
}

static int shown_index_cmp(const void *x, const void *y)
{
    const ap_diagram_node *a = x, *b = y;
    return a->node < b->node ? -1 : a->node > b->node;
}

static const ap_diagram_node *find_node(const ap_diagram *c, uint32_t v)
{
    ap_diagram_node key = { v, 0, 0 };
    return bsearch(&key, c->nodes, c->nnodes, sizeof *c->nodes, shown_index_cmp);
}

/* A candidate edge for a fan: its index in c->edges and what must match. */
typedef struct {
    uint32_t i;
    uint32_t tail;
    ap_edge_kind kind;
    ap_rights rights;
    unsigned marks;
} fan_cand;

static bool same_fan(const fan_cand *a, const fan_cand *b)
{
    return a->tail == b->tail && a->kind == b->kind && a->rights == b->rights
           && a->marks == b->marks;
}

static int fan_cand_cmp(const void *x, const void *y)
{
    const fan_cand *a = x, *b = y;
    if (a->tail != b->tail)
        return a->tail < b->tail ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->rights != b->rights)
        return a->rights < b->rights ? -1 : 1;
    if (a->marks != b->marks)
        return a->marks < b->marks ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;      /* edge order: total */
}

/* Fold each fan of AP_DIAGRAM_FAN_MIN or more parallel edges to leaves (heads that no other
 * drawn edge touches and that carry no mark of their own) into one ap_diagram_fan. */
static int collapse_fans(ap_diagram *c, const ap_graph *g)
{
    uint32_t n = ap_graph_node_count(g), ncand = 0, nf = 0;
    uint32_t *deg = calloc((size_t)n + 1, sizeof *deg);
    fan_cand *cand = malloc(((size_t)c->nedges + 1) * sizeof *cand);
    bool *drop_e = calloc((size_t)c->nedges + 1, sizeof *drop_e);
    bool *drop_v = calloc((size_t)n + 1, sizeof *drop_v);
    int rc = -1;
    if (deg == NULL || cand == NULL || drop_e == NULL || drop_v == NULL)
        goto cleanup;
    for (uint32_t i = 0; i < c->nedges; i++) {
        const ap_edge *e = ap_graph_edge(g, c->edges[i].edge);
        deg[e->from]++;
        deg[e->to]++;
    }
    for (uint32_t i = 0; i < c->nedges; i++) {
        const ap_diagram_edge *de = &c->edges[i];
        const ap_edge *e = ap_graph_edge(g, de->edge);
        const ap_diagram_node *head = find_node(c, e->to);
        if (deg[e->to] != 1 || e->from == e->to || head == NULL
            || (head->marks & FAN_KEEP_NODE) || (de->marks & FAN_KEEP_EDGE))
            continue;
        cand[ncand++] = (fan_cand){ i, e->from, e->kind, de->rights, de->marks };
    }
    qsort(cand, ncand, sizeof *cand, fan_cand_cmp);
    for (uint32_t s = 0, t; s < ncand; s = t) {
        for (t = s + 1; t < ncand && same_fan(&cand[t], &cand[s]); t++)
            ;
        nf += t - s >= AP_DIAGRAM_FAN_MIN;
    }
    if (nf == 0) {
        rc = 0;
        goto cleanup;
    }
    if ((c->fans = calloc(nf, sizeof *c->fans)) == NULL)
        goto cleanup;
    for (uint32_t s = 0, t; s < ncand; s = t) {
        for (t = s + 1; t < ncand && same_fan(&cand[t], &cand[s]); t++)
            ;
        if (t - s < AP_DIAGRAM_FAN_MIN)
            continue;
        ap_diagram_fan *f = &c->fans[c->nfans];
        if ((f->edges = malloc((size_t)(t - s) * sizeof *f->edges)) == NULL)
            goto cleanup;
        c->nfans++;
        f->tail = cand[s].tail;
        f->rights = cand[s].rights;
        f->marks = cand[s].marks;
        for (uint32_t k = s; k < t; k++) {
            const ap_edge *e = ap_graph_edge(g, c->edges[cand[k].i].edge);
            f->edges[f->count++] = c->edges[cand[k].i].edge;
            f->by_kind[ap_graph_node(g, e->to)->kind]++;
            drop_e[cand[k].i] = true;
            drop_v[e->to] = true;
        }
    }
    uint32_t ne = 0, nv = 0;
    for (uint32_t i = 0; i < c->nedges; i++)
        if (!drop_e[i])
            c->edges[ne++] = c->edges[i];
    for (uint32_t i = 0; i < c->nnodes; i++)
        if (!drop_v[c->nodes[i].node])
            c->nodes[nv++] = c->nodes[i];
    c->nedges = ne;
    c->nnodes = nv;
    rc = 0;
cleanup:
    free(deg);
    free(cand);
    free(drop_e);
    free(drop_v);
    return rc;
}

/* d cut down to tiers 0..k, with fans collapsed when fans is set: what is dropped is counted in
 * the dashed boxes, and the note says so. *out owns it; NULL when memory runs out. */
static ap_diagram *cut_down(const ap_graph *g, const ap_diagram *d, uint32_t k, bool fans)
{
    ap_diagram *c = copy_of(d);
    uint32_t nv = 0, ne = 0, dropped_chains = 0;
    char line[320];
    if (c == NULL)
        return NULL;
    for (uint32_t i = 0; i < d->nnodes; i++) {
        if (d->nodes[i].tier <= k)
            c->nodes[nv++] = d->nodes[i];
        else
            count_left_out(c, g, d->nodes[i].node);
    }
    c->nnodes = nv;
    for (uint32_t i = 0; i < d->nedges; i++) {
        const ap_edge *e = ap_graph_edge(g, d->edges[i].edge);
        if (d->edges[i].tier <= k && find_node(c, e->from) != NULL && find_node(c, e->to) != NULL)
            c->edges[ne++] = d->edges[i];
        else
            c->collapsed_edges++;
    }
    c->nedges = ne;
    qsort(c->collapsed, c->ncollapsed, sizeof *c->collapsed, collapsed_cmp);
    if (fans && collapse_fans(c, g) < 0) {
        ap_diagram_free(c);
        return NULL;
    }
    dropped_chains = d->ntiers > k + 1 ? d->ntiers - (k + 1) : 0;
    c->ntiers = d->ntiers < k + 1 ? d->ntiers : k + 1;
    if (dropped_chains > 0 || c->nfans > 0) {
        uint32_t folded = 0;
        for (uint32_t i = 0; i < c->nfans; i++)
            folded += c->fans[i].count;
        int len = snprintf(line, sizeof line, "cut down to an A3 page: %u of %u chains drawn, "
                           "the most sensitive first", d->ntiers - 1 - dropped_chains,
                           d->ntiers - 1);
        if (c->nfans > 0)
            snprintf(line + len, sizeof line - (size_t)len, "; %u fan%s of %u edges drawn as "
                     "one edge each", c->nfans, c->nfans == 1 ? "" : "s", folded);
        if (ap_diagram__add_note(&c->note, line) < 0) {
            ap_diagram_free(c);
            return NULL;
        }
    }
    return c;
}

/* Lay c out left to right, and top to bottom unless that already fits unshrunk; keep the
 * direction that shrinks it least in c->rankdir and say in *scale how far it must shrink.
 * *svg gets the drawing of c with that direction when it was the last laid out (NULL when the
 * other was: it is drawn again if it is kept); the caller frees it. */
static int orient(double *scale, char **svg, size_t *len, const ap_graph *g, ap_diagram *c,
                  ap_error *err)
{
    double w, h, s_lr, s_tb;
    char *lr = NULL, *tb = NULL;
    size_t lr_len = 0, tb_len = 0;
    int rc;
    *svg = NULL;
    *len = 0;
    c->rankdir = "LR";
    if ((rc = ap_diagram__measure_svg(&w, &h, &lr, &lr_len, g, c, err)) < 0)
        return rc;
    *scale = s_lr = page_scale(w, h);
    if (s_lr >= 1) {
        *svg = lr;                  /* one layout is enough: most diagrams end here */
        *len = lr_len;
        return AP_OK;
    }
    free(lr);                       /* drawn again if kept: one drawing held at a time */
    c->rankdir = "TB";
    if ((rc = ap_diagram__measure_svg(&w, &h, &tb, &tb_len, g, c, err)) < 0)
        return rc;
    s_tb = page_scale(w, h);
    c->rankdir = s_tb > s_lr ? "TB" : "LR";
    *scale = s_tb > s_lr ? s_tb : s_lr;
    if (s_tb > s_lr) {
        *svg = tb;
        *len = tb_len;
    } else {
        free(tb);
    }
    return AP_OK;
}

/* What a fit chose: the page is cut_down(g, d, tier, fans) laid out rankdir, with the note that
 * it is too large even so when noted. */
typedef struct {
    uint32_t tier;
    bool fans, lr, noted;
} fit_choice;

/* The fit, laid out in this process (the renderer's child): *out, *svg as ap_diagram_fit_svg,
 * and what it chose. */
static int fit_here(ap_diagram **out, char **svg, size_t *len, fit_choice *ch,
                    const ap_graph *g, const ap_diagram *d, ap_error *err)
{
    ap_diagram *best = NULL, *c = NULL;
    uint32_t top = d->ntiers > 0 ? d->ntiers - 1 : 0, lo = 0, hi;
    char *drawn = NULL, *probe = NULL;
    size_t drawn_len = 0, probe_len = 0;
    double s;
    int rc;
    *out = NULL;
    if (svg != NULL) {
        *svg = NULL;
        *len = 0;
    }
    uint32_t as_is_nodes = UINT32_MAX, as_is_edges = UINT32_MAX, fit_lo = UINT32_MAX;
    double fit_s = 0;
    const char *fit_dir = NULL;
    /* as it is; then with its fans collapsed (neither laid out when too many nodes to fit) */
    if (d->nnodes <= FIT_MAX_NODES) {
        if ((best = cut_down(g, d, top, false)) == NULL)
            return ap_error_nomem(err);
        *ch = (fit_choice){ top, false, true, false };
        if ((rc = orient(&s, &drawn, &drawn_len, g, best, err)) < 0)
            goto fail;
        if (scale_fits(s))
            goto done;
        as_is_nodes = best->nnodes;
        as_is_edges = best->nedges;
        ap_diagram_free(best);
        free(drawn);
        drawn = NULL;
    }
    if ((best = cut_down(g, d, top, true)) == NULL)
        goto nomem;
    *ch = (fit_choice){ top, true, true, false };
    /* no fan to collapse: the same diagram as above, which did not fit */
    bool same = best->nfans == 0 && best->nnodes == as_is_nodes && best->nedges == as_is_edges;
    if ((best->nnodes <= FIT_MAX_NODES && !same) || top == 0) {
        if ((rc = orient(&s, &drawn, &drawn_len, g, best, err)) < 0)
            goto fail;
        if (scale_fits(s) || top == 0)
            goto done;
        free(drawn);
        drawn = NULL;
    }
    /* the most tiers that fit: tier 0 is drawn whatever its size; tiers whose nodes cannot
     * fit are not tried */
    hi = top - 1;
    if (nodes_upto(d, hi) > FIT_MAX_NODES) {
        uint32_t a = 0, b = hi;         /* the most tiers within the bound (fans aside) */
        while (a < b) {
            uint32_t m = a + (b - a + 1) / 2;
            if (nodes_upto(d, m) <= FIT_MAX_NODES)
                a = m;
            else
                b = m - 1;
        }
        hi = a;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if ((c = cut_down(g, d, mid, true)) == NULL)
            goto nomem;
        if ((rc = orient(&s, &probe, &probe_len, g, c, err)) < 0)
            goto fail;
        if (scale_fits(s)) {            /* kept: the last that fits is the page */
            lo = fit_lo = mid;
            fit_s = s;
            fit_dir = c->rankdir;
            free(drawn);
            drawn = probe;
            drawn_len = probe_len;
        } else {
            hi = mid - 1;
            free(probe);
        }
        probe = NULL;
        ap_diagram_free(c);
        c = NULL;
    }
    ap_diagram_free(best);
    if ((best = cut_down(g, d, lo, true)) == NULL)
        goto nomem;
    *ch = (fit_choice){ lo, true, true, false };
    if (fit_lo == lo) {                 /* laid out in the search already, and fits */
        double w, h;
        best->rankdir = fit_dir;
        s = fit_s;
        /* orient keeps the drawing of the way up it laid out last: the other is drawn again */
        if (drawn == NULL && svg != NULL
            && (rc = ap_diagram__measure_svg(&w, &h, &drawn, &drawn_len, g, best, err)) < 0)
            goto fail;
    } else {
        free(drawn);
        drawn = NULL;
        if ((rc = orient(&s, &drawn, &drawn_len, g, best, err)) < 0)
            goto fail;
    }
    if (!scale_fits(s)) {
        free(drawn);                /* the note below changes the drawing */
        drawn = NULL;
        if (ap_diagram__add_note(&best->note, FIT_TOO_LARGE) < 0)
            goto nomem;
        ch->noted = true;
    }
done:
    ch->lr = best->rankdir == NULL || strcmp(best->rankdir, "LR") == 0;
    *out = best;
    if (svg != NULL) {
        *svg = drawn;
        *len = drawn_len;
    } else {
        free(drawn);
    }
    return AP_OK;
nomem:
    rc = ap_error_nomem(err);
fail:
    free(drawn);
    ap_diagram_free(c);
    ap_diagram_free(best);
    return rc;
}

/* ---- The fit in the renderer's child: one child and one Graphviz context for all its
 * layouts. It hands back its choice and, when asked, the page's SVG; the page is cut down here
 * again from the choice (cut_down is deterministic). ---- */

typedef struct {
    const ap_graph *g;
    const ap_diagram *d;
    bool want_svg;
} fit_job;

/* The child's answer: "fit TIER FANS LR NOTED SVGLEN\n" and the SVG, or "error CODE\n" and
 * the message. */
static int fit_work(void *ctx, int fd)
{
    fit_job *job = ctx;
    ap_diagram *page = NULL;
    char *svg = NULL, head[128];
    size_t len = 0;
    fit_choice ch = { 0, false, true, false };
    ap_error err = { .code = AP_OK };
    int rc = fit_here(&page, job->want_svg ? &svg : NULL, &len, &ch, job->g, job->d, &err);
    if (rc < 0) {
        snprintf(head, sizeof head, "error %d\n", (int)err.code);
        return ap_diagram__write_all(fd, head, strlen(head)) < 0
               || ap_diagram__write_all(fd, err.msg, strlen(err.msg)) < 0 ? -1 : 0;
    }
    snprintf(head, sizeof head, "fit %u %d %d %d %zu\n", ch.tier, ch.fans, ch.lr, ch.noted,
             svg != NULL ? len : (size_t)0);
    rc = ap_diagram__write_all(fd, head, strlen(head)) < 0
         || (svg != NULL && ap_diagram__write_all(fd, svg, len) < 0) ? -1 : 0;
    ap_diagram_free(page);      /* the child's own: only Graphviz's are left to its exit */
    free(svg);
    return rc;
}

int ap_diagram_fit_svg(ap_diagram **out, char **svg, size_t *len, const ap_graph *g,
                       const ap_diagram *d, ap_error *err)
{
    fit_job job = { g, d, svg != NULL };
    char *buf = NULL, *nl;
    size_t n = 0, svglen = 0;
    unsigned tier = 0;
    int fans = 0, lr = 0, noted = 0, code = 0, used = 0, rc;
    *out = NULL;
    if (svg != NULL) {
        *svg = NULL;
        *len = 0;
    }
    if ((rc = ap_diagram__in_renderer(&buf, &n, fit_work, &job, err)) < 0)
        return rc;
    if ((nl = memchr(buf, '\n', n)) != NULL && sscanf(buf, "error %d", &code) == 1
        && code < 0) {
        rc = ap_error_set(err, (ap_status)code, "%.*s", (int)(n - (size_t)(nl + 1 - buf)),
                          nl + 1);
        free(buf);
        return rc;
    }
    if (nl == NULL || sscanf(buf, "fit %u %d %d %d %zu%n", &tier, &fans, &lr, &noted, &svglen,
                             &used) != 5 || buf + used != nl
        || svglen != n - (size_t)(nl + 1 - buf)) {
        free(buf);
        return ap_error_set(err, AP_EBUG, "graphviz: the renderer's answer is not understood");
    }
    ap_diagram *page = cut_down(g, d, tier, fans != 0);
    if (page != NULL)
        page->rankdir = lr ? "LR" : "TB";
    if (page == NULL || (noted && ap_diagram__add_note(&page->note, FIT_TOO_LARGE) < 0)) {
        ap_diagram_free(page);
        free(buf);
        return ap_error_nomem(err);
    }
    if (svg != NULL && svglen > 0) {
        memmove(buf, nl + 1, svglen);
        buf[svglen] = '\0';
        *svg = buf;
        *len = svglen;
    } else {
        free(buf);
    }
    *out = page;
    return AP_OK;
}

int ap_diagram_fit(ap_diagram **out, const ap_graph *g, const ap_diagram *d, ap_error *err)
{
    return ap_diagram_fit_svg(out, NULL, NULL, g, d, err);
}
