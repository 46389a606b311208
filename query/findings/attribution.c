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

int ap_rule__unattributable(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights writes = ap_vocab_all(ap_graph_vocab(g)) & ~((ap_rights)1 << AP_R_READ);
    /* per node, the partner index that reported it (kept across batches) */
    size_t *seen = ap_findings__slots(c, ap_graph_node_count(g));
    uint32_t *mid = NULL;
    (void)r;
    if (seen == NULL || !ap_findings__exists(c, false, unlogged))
        return c->rc;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t *room = realloc(mid, ((size_t)a->nreach + 1) * a->nclasses * sizeof *mid);
        if (room == NULL) {
            c->rc = ap_error_nomem(c->err);
            break;
        }
        mid = room;
        /* each write-capable target in reach order; the unlogged identities on its witness
         * for writing (the witness of all its rights may carry only read) */
        for (uint32_t k = 0; k < a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = a->reach[k];
            if (ap_findings__sens(c, v) == AP_SENS_NONE || (a->rights[v] & writes) == 0)
                continue;
            /* the path's inner nodes, from v's side back to the source; those an earlier
             * target's path passed were looked at then */
            size_t nmid = ap_findings__walk_new(c, a, v, writes, mid);
            for (size_t j = 0; j < nmid; j++) {
                uint32_t u = mid[j];
                if (seen[u] == i || !unlogged(c, u))
                    continue;
                seen[u] = i;
                /* one finding per unlogged identity: a later partner joins it */
                ap_finding *f = ap_findings__subject(c, p, false, u);
                if (f == NULL)
                    continue;
                /* what that chain carries there, not all v holds: the claim is the chain's */
                ap_rights carried = ap_findings__path_for(c, f, a, v, writes);
                ap_findings__fact(c, f, "logged", "false");
                ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, v)->id);
                ap_findings__rights(c, f, "rights", carried & writes);
                say_unattributable(c, f);
            }
        }
    }
    free(mid);
    return c->rc < 0 ? c->rc : ap_findings__subjects_said(c, 1, say_unattributable);
}
