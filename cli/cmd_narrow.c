/* cli/cmd_narrow.c: `what-if PARTNER --narrow-to-observed [--since DATE]`: the revocations and
 * right reductions that fit a partner to its observed use, re-checked, as text or JSON tickets. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static json_t *use_json(const ap_use *u)
{
    json_t *o = json_object();
    char first[32], last[32];
    ap_time_format(first, sizeof first, u->first);
    ap_time_format(last, sizeof last, u->last);
    json_object_set_new(o, "actor", json_string(u->actor));
    json_object_set_new(o, "target", json_string(u->target));
    json_object_set_new(o, "action", json_string(u->action));
    json_object_set_new(o, "events", json_integer((json_int_t)u->count));
    json_object_set_new(o, "first", json_string(first));
    json_object_set_new(o, "last", json_string(last));
    json_object_set_new(o, "file", json_string(u->file));
    json_object_set_new(o, "line", json_integer(u->line));
    json_object_set_new(o, "event_id", u->event_id[0] != '\0' ? json_string(u->event_id)
                                                               : json_null());
    return o;
}

typedef struct {
    const ap_graph *g;
    const ap_narrow *n;
} narrow_out;

/* Item i of list k: the changes, then what is kept (each follows the partner's edges). */
static json_t *narrow_item(void *arg, size_t k, size_t i, bool *skip)
{
    const narrow_out *o = arg;
    const ap_graph *g = o->g;
    const ap_vocab *v = ap_graph_vocab(g);
    json_t *x;
    (void)skip;
    if (k == 0) {
        const ap_narrow_change *c = &o->n->changes[i];
        x = cli_json_edge(g, c->edge);
        json_object_set_new(x, "action", json_string(c->after == 0 ? "revoke" : "reduce"));
        json_object_set_new(x, "before", cli_json_rights(v, c->before));
        json_object_set_new(x, "after", cli_json_rights(v, c->after));
        json_object_set_new(x, "removed", cli_json_rights(v, c->before & ~c->after));
        return x;
    }
    const ap_narrow_kept *kp = &o->n->kept[i];
    x = json_object();
    json_object_set_new(x, "target", json_string(ap_graph_node(g, kp->node)->id));
    json_object_set_new(x, "rights", cli_json_rights(v, kp->rights));
    json_object_set_new(x, "reason", json_string(kp->needed_by != NULL ? "needed"
                                                 : "no-edge"));
    json_object_set_new(x, "edge", kp->edge != UINT32_MAX
                        ? json_string(ap_graph_edge(g, kp->edge)->id) : json_null());
    json_object_set_new(x, "needed_by", kp->needed_by != NULL ? use_json(kp->needed_by)
                                                              : json_null());
    return x;
}

/* The changes and what is kept an item at a time, whole or not at all (cli_stream_json). */
static int print_json(const ap_graph *g, const ap_narrow *n, const ap_usage *u)
{
    static const char *const keys[] = { "changes", "kept" };
    const size_t count[] = { n->nchanges, n->nkept };
    narrow_out x = { g, n };
    json_t *o = json_object(), *uses;
    char t[32];
    json_object_set_new(o, "partner", json_string(ap_graph_node(g, n->partner)->id));
    json_object_set_new(o, "snapshot", json_integer(ap_graph_snapshot(g)));
    ap_time_format(t, sizeof t, ap_graph_at(g));
    json_object_set_new(o, "at", json_string(t));
    ap_time_format(t, sizeof t, ap_usage_since(u));
    json_object_set_new(o, "since", json_string(t));
    json_object_set_new(o, "changes", json_array());
    json_object_set_new(o, "kept", json_array());
    json_object_set_new(o, "score_before", json_integer(n->score_before));
    json_object_set_new(o, "score_after", json_integer(n->score_after));
    uses = json_object();
    json_object_set_new(uses, "carried", json_integer((json_int_t)n->uses));
    json_object_set_new(uses, "still_carried", json_integer((json_int_t)n->uses_still));
    json_object_set_new(uses, "not_carried", json_integer((json_int_t)n->uses_uncarried));
    json_object_set_new(o, "uses", uses);
    return cli_stream_json(o, keys, count, 2, 4, narrow_item, &x);
}

static void put_rights(const ap_vocab *v, ap_rights r)
{
    char buf[512];
    ap_rights_format(buf, sizeof buf, v, r, ", ", false);
    cli_put(buf);
}

static void print_text(const ap_graph *g, const ap_narrow *n, const ap_usage *u)
{
    const ap_vocab *v = ap_graph_vocab(g);
    char since[32], at[32];
    ap_date_format(since, sizeof since, ap_usage_since(u));
    ap_date_format(at, sizeof at, ap_graph_at(g));
    printf("Narrowing ");
    cli_put(ap_graph_node(g, n->partner)->id);
    printf(" to its observed use from %s to %s (snapshot %lld)\n", since, at,
           (long long)ap_graph_snapshot(g));
    if (!ap_usage_any(u))
        printf("The snapshot holds no observed use (import --as usage): no right is shown "
               "to be used, so every right the partner's chains carry through an access edge "
               "is proposed for removal. Import the events first to keep what is used.\n");
    printf("\nChanges (%zu):\n", n->nchanges);
    for (size_t i = 0; i < n->nchanges; i++) {
        const ap_narrow_change *c = &n->changes[i];
        printf("  %s ", c->after == 0 ? "revoke" : "reduce");
        cli_put_edge(g, c->edge);
        printf(": ");
        put_rights(v, c->before);
        printf(" -> ");
        if (c->after == 0)
            printf("(removed)");
        else
            put_rights(v, c->after);
        printf("\n");
    }
    if (n->nchanges == 0)
        printf("  none\n");
    printf("\nRe-checked on the changed graph: %zu of %zu observed use%s a chain carried still "
           "ha%s one", n->uses_still, n->uses, n->uses == 1 ? "" : "s",
           n->uses_still == 1 ? "s" : "ve");
    if (n->uses_uncarried > 0)
        printf(" (%zu more had none even before: findings usage-not-granted)",
               n->uses_uncarried);
    printf(".\nScore of ");
    cli_put(ap_graph_node(g, n->partner)->id);
    printf(": %lld -> %lld\n", (long long)n->score_before, (long long)n->score_after);
    printf("\nCould not remove (%zu):\n", n->nkept);
    for (size_t i = 0; i < n->nkept; i++) {
        const ap_narrow_kept *k = &n->kept[i];
        printf("  ");
        cli_put(ap_graph_node(g, k->node)->id);
        printf(": ");
        put_rights(v, k->rights);
        if (k->needed_by != NULL) {
            printf(" on ");
            cli_put_edge(g, k->edge);
            printf(": needed by ");
            cli_put(k->needed_by->actor);
            printf(" ");
            cli_put(k->needed_by->action);
            printf(" on ");
            cli_put(k->needed_by->target);
            printf(" (");
            cli_put(k->needed_by->file);
            printf(":%u)\n", k->needed_by->line);
        } else {
            printf(": no access edge of the partner's chains grants it (it arrives through a "
                   "trigger, an escalation or a grant of another kind)\n");
        }
    }
    if (n->nkept == 0)
        printf("  nothing\n");
    printf("\nThe database is not changed.\n");
}

int cli_narrow(cli_ctx *ctx, const char *partner, const char *since, const char *policy,
               const char *format)
{
    ap_usage *u = NULL;
    ap_narrow *n = NULL;
    ap_policy pol;
    ap_error err;
    int64_t p;
    int rc;
    ap_policy_default(&pol);
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_partner(ctx, partner)) < 0)
        return EXIT_USAGE;
    if (policy != NULL && ap_policy_load(&pol, policy, ap_graph_vocab(ctx->g), &err) < 0)
        return cli_fail(&err, NULL);
    if ((rc = cli_load_usage(ctx, since, &u)) != EXIT_OK)
        goto cleanup;
    if (ap_narrow_compute(&n, ctx->g, (uint32_t)p, u, &pol.weights, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if (strcmp(format, "json") == 0) {
        rc = print_json(ctx->g, n, u);
    } else {
        print_text(ctx->g, n, u);
        rc = EXIT_OK;
    }
cleanup:
    ap_narrow_free(n);
    ap_usage_free(u);
    ap_policy_clear(&pol);
    return rc;
}
