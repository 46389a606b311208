/* query/findings/attribution.c: actions that cannot be attributed (NIST CSF PR.PS-04,
 * DE.CM-06): a partner's write-capable path that passes through an identity with logged: false. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* An identity whose actions are not logged: every finding is about one. */
static bool unlogged(const ap_rule_ctx *c, uint32_t u)
{
    return ap_graph_node(c->g, u)->kind == AP_KIND_IDENTITY
           && !ap_findings__node_flag(c, u, "logged", true);
}

/* The message of f about unlogged identity f->subject: its first partner's write to the
 * target its facts name, through its path; the others that write through it too, counted. */
static void say_unattributable(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const char *target = ap_findings__fact_of(f, "target");
    const char *rights = ap_findings__fact_of(f, "rights");
    char chain[1024], others[600] = "";
    if (target == NULL || rights == NULL)
        return;
    if (f->npartners > 1) {
        char list[512];
        ap_findings__partner_list(c, f, list, sizeof list, 5);
        snprintf(others, sizeof others, " Partners %s all write through it.", list);
    }
    ap_findings__message(c, f, "Partner %s can %s %s through %s, acting as %s, which is not "
                         "logged: the change cannot be attributed.%s",
                         ap_graph_node(g, f->partner)->id, rights, target,
                         ap_findings__chain(c, f, chain, sizeof chain),
                         ap_graph_node(g, f->subject)->id, others);
}

static bool watch_unlogged(const ap_rule_ctx *c, uint32_t u)
{
    return ap_findings__kind(c, u) == AP_KIND_IDENTITY && unlogged(c, u);
}

static ap_rights writes_of(const ap_rule_ctx *c)
{
    return ap_vocab_all(ap_graph_vocab(c->g)) & ~((ap_rights)1 << AP_R_READ);
}

/* Per unlogged identity, once: the rights other than read its own authority holds on sensitive
 * resources and workflows, and the first such target in its reach order. */
typedef struct {
    ap_rights *writes;
    uint32_t *target;           /* AP_UNREACHED: not computed yet; u itself: none */
} through_state;

static void free_through(void *p)
{
    through_state *s = p;
    free(s->writes);
    free(s->target);
    free(s);
}

static ap_rights writes_through(ap_rule_ctx *c, uint32_t u, uint32_t *target)
{
    size_t n = (size_t)ap_graph_node_count(c->g) + 1;
    through_state *s = ap_findings__state(c, sizeof *s, free_through);
    if (s == NULL)
        return 0;
    if (s->writes == NULL) {
        s->writes = calloc(n, sizeof *s->writes);
        s->target = malloc(n * sizeof *s->target);
        if (s->writes == NULL || s->target == NULL) {
            c->rc = ap_error_nomem(c->err);
            return 0;
        }
        for (size_t v = 0; v < n; v++)
            s->target[v] = AP_UNREACHED;
    }
    if (s->target[u] == AP_UNREACHED) {
        const ap_authority *a = ap_findings__authority(c, u);
        const ap_rights writes = writes_of(c);
        s->target[u] = u;
        for (uint32_t k = 0; a != NULL && k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            if (ap_findings__sens(c, v) == AP_SENS_NONE || (a->rights[v] & writes) == 0)
                continue;
            s->writes[u] |= a->rights[v] & writes;
            if (s->target[u] == u)
                s->target[u] = v;
        }
    }
    *target = s->target[u];
    return s->writes[u];
}

/* The chain of f's first partner to its identity u (for the rights u writes on), then u's own
 * chain on to the first target it writes on; what both carry is the claim. */
static void chain_unattributable(ap_rule_ctx *c, ap_finding *f, const ap_authority *a,
                                 uint32_t u, uint32_t e)
{
    uint32_t target;
    ap_rights through = writes_through(c, u, &target);
    (void)e;
    ap_rights at_u = ap_findings__path_for(c, f, a, u, through) & through;
    const ap_authority *ua = ap_findings__authority(c, u);
    ap_rights carried = ua != NULL && at_u != 0
                        ? ap_findings__path_for(c, f, ua, target, at_u) & at_u : 0;
    ap_findings__fact(c, f, "target", "%s", ap_graph_node(c->g, target)->id);
    ap_findings__rights(c, f, "rights", carried);
    say_unattributable(c, f);
}

/* Unlogged identity x->v and the batch's lanes that hold there a right it writes with on a
 * sensitive target: one finding, about every partner concerned; the chain of the first. */
static void node_unattributable(ap_rule_ctx *c, const ap_lanes_at *x)
{
    uint64_t lanes[AP_KERNEL_LMAX];
    uint32_t target;
    ap_rights through = writes_through(c, x->v, &target);
    if (through == 0)
        return;
    ap_findings__lanes_with(x, through, lanes);
    ap_finding *f = ap_findings__subject_lanes(c, x->b, lanes, false, x->v);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    ap_findings__fact(c, f, "logged", "false");
    ap_findings__chain_later_want(c, f, f->partner, x->v, false, through, chain_unattributable);
}

const ap_lanes_rule ap_lanes__unattributable_write = {
    "unattributable-write", watch_unlogged, false, node_unattributable, NULL, NULL
};
