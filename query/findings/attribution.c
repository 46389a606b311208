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

/* The first write-capable target, in reach order, whose witness for writing passes each
 * unlogged identity, of the partner whose whole run the chains heard last: one walk of its
 * reach serves every finding it shows (the chains of one partner come together). */
typedef struct {
    uint32_t partner;           /* + 1; 0: none yet */
    uint32_t *target;           /* per node: AP_UNREACHED, or the target */
    uint32_t *touched, ntouched;
} first_writes;

static void free_first_writes(void *p)
{
    first_writes *s = p;
    free(s->target);
    free(s->touched);
    free(s);
}

static bool walk_writes(ap_rule_ctx *c, first_writes *s, const ap_authority *a, uint32_t p)
{
    const ap_rights writes = writes_of(c);
    size_t n = (size_t)ap_graph_node_count(c->g) + 1;
    if (s->target == NULL) {
        s->target = malloc(n * sizeof *s->target);
        s->touched = malloc(n * sizeof *s->touched);
        if (s->target == NULL || s->touched == NULL)
            return false;
        for (size_t v = 0; v < n; v++)
            s->target[v] = AP_UNREACHED;
    }
    for (uint32_t k = 0; k < s->ntouched; k++)
        s->target[s->touched[k]] = AP_UNREACHED;
    s->ntouched = 0;
    s->partner = p + 1;
    uint32_t *mid = malloc(((size_t)a->nreach + 1) * a->nclasses * sizeof *mid);
    if (mid == NULL)
        return false;
    c->visit->a = NULL;                 /* a new walk: another rule may have walked a */
    for (uint32_t k = 0; k < a->nreach; k++) {
        uint32_t v = a->reach[k];
        if (ap_findings__sens(c, v) == AP_SENS_NONE || (a->rights[v] & writes) == 0)
            continue;
        /* the path's inner nodes an earlier target's path did not pass */
        size_t nmid = ap_findings__walk_new(c, a, v, writes, mid);
        for (size_t j = 0; j < nmid; j++) {
            uint32_t u = mid[j];
            if (s->target[u] == AP_UNREACHED && unlogged(c, u)) {
                s->target[u] = v;
                s->touched[s->ntouched++] = u;
            }
        }
    }
    free(mid);
    return true;
}

/* The whole run of finding f's first partner: its first write-capable target in reach order
 * whose witness for writing passes f's identity, and that chain; none (the partner holds write
 * there, but its witnesses to what it writes go other ways), the identity itself. */
static void chain_unattributable(ap_rule_ctx *c, ap_finding *f, const ap_authority *a,
                                 uint32_t none, uint32_t e)
{
    const ap_rights writes = writes_of(c);
    first_writes *s = ap_findings__state(c, sizeof *s, free_first_writes);
    (void)none;
    (void)e;
    if (s == NULL)
        return;
    if (s->partner != f->partner + 1 && !walk_writes(c, s, a, f->partner)) {
        c->rc = ap_error_nomem(c->err);
        return;
    }
    uint32_t u = f->subject;
    uint32_t target = s->target[u] != AP_UNREACHED ? s->target[u] : u;
    /* what that chain carries there, not all the target holds: the claim is the chain's */
    ap_rights carried = ap_findings__path_for(c, f, a, target, writes);
    ap_findings__fact(c, f, "target", "%s", ap_graph_node(c->g, target)->id);
    ap_findings__rights(c, f, "rights", carried & writes);
    say_unattributable(c, f);
}

/* Unlogged identity x->u and the batch's lanes that hold some write there (they act as it
 * with a right to change something): one finding, about every partner concerned; the write
 * and chain of the first in id order. */
static void node_unattributable(ap_rule_ctx *c, const ap_lanes_at *x)
{
    uint64_t lanes[AP_KERNEL_LMAX];
    ap_findings__lanes_with(x, writes_of(c), lanes);
    ap_finding *f = ap_findings__subject_lanes(c, x->b, lanes, false, x->v);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    ap_findings__fact(c, f, "logged", "false");
    ap_findings__chain_first(c, f, f->partner, false, NULL, 0, chain_unattributable);
}

const ap_lanes_rule ap_lanes__unattributable_write = {
    "unattributable-write", watch_unlogged, false, node_unattributable, NULL, NULL
};
