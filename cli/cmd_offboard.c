/* cli/cmd_offboard.c: `offboard PARTNER`: the default offboarding plan as a checklist, what
 * remains, what breaks, the shared-credential choices, persistence, the minimal cut; or the
 * partner's authority drawn with the cut edges and choke points marked. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "cli.h"

static const char *id_of(const ap_graph *g, uint32_t v) { return ap_graph_node(g, v)->id; }

/* How many of n reach items (grouped by actor) belong to their first `actors` actors other
 * than `partner` (whose items always show): the lists of many actors show CLI_LIST_MAX of them
 * unless --all (a loop of N partners all act for each other, each with chains N long). */
static uint32_t items_shown(const ap_reach_item *it, uint32_t n, uint32_t actors,
                            uint32_t partner)
{
    uint32_t seen = 0;
    for (uint32_t i = 0; i < n; i++)
        if ((i == 0 || it[i].actor != it[i - 1].actor) && it[i].actor != partner
            && seen++ == actors)
            return i;
    return n;
}

/* The caps of one output: actors listed besides the partner, targets per choke point. */
typedef struct {
    uint32_t actors;
    uint32_t targets;
} caps;

/* ---- JSON (docs/json.md: partner, residual, collateral, shared_credentials, persistence, cut,
 * choke_points; other keys added) ---- */

static json_t *step_json(const ap_graph *g, const ap_offboard_step *st, uint32_t number)
{
    json_t *o = json_object();
    json_object_set_new(o, "step", json_integer(number));
    if (st->kind == AP_STEP_REMOVE_EDGE) {
        const ap_edge *e = ap_graph_edge(g, st->target);
        json_object_set_new(o, "action", json_string("remove_edge"));
        json_object_set_new(o, "id", json_string(e->id));
        json_object_set_new(o, "kind", json_string(ap_edge_kind_name(e->kind)));
        json_object_set_new(o, "from", json_string(id_of(g, e->from)));
        json_object_set_new(o, "to", json_string(id_of(g, e->to)));
    } else {
        json_object_set_new(o, "action", json_string("revoke_credential"));
        json_object_set_new(o, "id", json_string(id_of(g, st->target)));
    }
    return o;
}

static json_t *item_json(const ap_graph *g, const ap_reach_item *it, const char *rights_key,
                         bool collateral)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    json_t *o = json_object();
    json_object_set_new(o, "actor", json_string(id_of(g, it->actor)));
    json_object_set_new(o, "id", json_string(id_of(g, it->node)));
    json_object_set_new(o, rights_key, cli_json_rights(voc, it->rights));
    if (collateral) {
        json_object_set_new(o, "reason", json_string(it->dependency ? "depends_on"
                                                                    : "authority"));
        json_object_set_new(o, "step", it->cause == UINT32_MAX ? json_null()
                                                               : json_integer(it->cause + 1));
    }
    cli_set_path(o, g, it->path, it->npath);    /* a long one cut, as what-if's */
    if (!it->dependency)        /* what the chain carries: rights may need several */
        json_object_set_new(o, "path_rights", cli_json_rights(voc, it->carried));
    return o;
}

/* The document is written a piece at a time (ap_json_writer): --all on 300 partners x 300
 * shared keys is 632 MB of JSON, which built as one tree took 3.2 GB. Each list below is an
 * empty array in its skeleton, filled here an item at a time. */
typedef struct {
    const ap_graph *g;
    const ap_offboard *o;
    caps cap;
} offboard_out;

/* w's array at key: the ids of v[0 .. n). */
static int stream_ids(ap_json_writer *w, const char *key, const ap_graph *g, const uint32_t *v,
                      uint32_t n, ap_error *err)
{
    int rc = ap_json_writer_array(w, key, err);
    for (uint32_t i = 0; rc == AP_OK && i < n; i++)
        rc = ap_json_writer_item(w, json_string(id_of(g, v[i])), err);
    return rc == AP_OK ? ap_json_writer_close(w, err) : rc;
}

/* w's array at key: the items of partner and of the first `actors` other actors (the skeleton
 * holds key_more: how many are left out). */
static int stream_items(ap_json_writer *w, const char *key, const ap_graph *g,
                        const ap_reach_item *it, uint32_t n, const char *rights_key,
                        bool collateral, ap_error *err)
{
    int rc = ap_json_writer_array(w, key, err);
    for (uint32_t i = 0; rc == AP_OK && i < n; i++)
        rc = ap_json_writer_item(w, item_json(g, &it[i], rights_key, collateral), err);
    return rc == AP_OK ? ap_json_writer_close(w, err) : rc;
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    if (t == AP_TIME_NONE)
        return json_null();
    ap_time_format(buf, sizeof buf, t);
    return json_string(buf);
}

/* {"id", "holders": [], "revoke": [], "revoke_more", "keep": []} and its lists. */
static int stream_shared(ap_json_writer *w, const ap_graph *g, const ap_shared_credential *sc,
                         caps cap, ap_error *err)
{
    uint32_t shown = items_shown(sc->breaks, sc->nbreaks, cap.actors, UINT32_MAX);
    json_t *s = json_object();
    int rc;
    json_object_set_new(s, "id", json_string(id_of(g, sc->credential)));
    json_object_set_new(s, "holders", json_array());
    json_object_set_new(s, "revoke", json_array());
    json_object_set_new(s, "revoke_more", json_integer(sc->nbreaks - shown
                                                       + sc->breaks_unlisted));
    json_object_set_new(s, "keep", json_array());
    if ((rc = ap_json_writer_item_open(w, s, err)) < 0
        || (rc = stream_ids(w, "holders", g, sc->holders, sc->nholders, err)) < 0
        || (rc = stream_items(w, "revoke", g, sc->breaks, shown, "lost", true, err)) < 0
        || (rc = stream_items(w, "keep", g, sc->keeps, sc->nkeeps, "rights", false, err)) < 0)
        return rc;
    return ap_json_writer_item_close(w, err);
}

static int stream_persistence(ap_json_writer *w, const ap_graph *g,
                              const ap_persistence_item *p, ap_error *err)
{
    json_t *s = json_object();
    int rc;
    json_object_set_new(s, "risk", json_string(p->mint ? "mint" : p->outlives
                                               ? "outlives_contract" : "dormant"));
    json_object_set_new(s, "id", json_string(id_of(g, p->node)));
    json_object_set_new(s, "expires", time_json(p->expires));
    json_object_set_new(s, "valid_yet", json_boolean(p->mint || p->edge == UINT32_MAX));
    json_object_set_new(s, "path", cli_json_path(g, p->path, p->npath));
    if (p->mint)
        return ap_json_writer_item(w, s, err);
    json_object_set_new(s, "outlives_contract", json_boolean(p->outlives));
    json_object_set_new(s, "dormant", json_boolean(p->dormant));
    json_object_set_new(s, "suspended", json_boolean(p->suspended));
    json_object_set_new(s, "usable_from", time_json(p->dormant ? p->usable_from
                                                               : AP_TIME_NONE));
    json_object_set_new(s, "reaches", json_array());
    if ((rc = ap_json_writer_item_open(w, s, err)) < 0
        || (rc = stream_ids(w, "reaches", g, p->reaches, p->nreaches, err)) < 0)
        return rc;
    return ap_json_writer_item_close(w, err);
}

static int stream_choke(ap_json_writer *w, const ap_graph *g, const ap_choke_point *c,
                        caps cap, ap_error *err)
{
    uint32_t nt = c->ntargets, shown = nt < cap.targets ? nt : cap.targets;
    json_t *s = json_object();
    int rc;
    json_object_set_new(s, "id", json_string(id_of(g, c->node)));
    json_object_set_new(s, "kind", json_string(ap_kind_name(ap_graph_node(g, c->node)->kind)));
    json_object_set_new(s, "targets", json_array());
    json_object_set_new(s, "targets_more", json_integer(nt - shown));
    if ((rc = ap_json_writer_item_open(w, s, err)) < 0
        || (rc = stream_ids(w, "targets", g, c->targets, shown, err)) < 0)
        return rc;
    return ap_json_writer_item_close(w, err);
}

/* docs/json.md's skeleton: every list empty, the counts of what is left out set. */
static json_t *offboard_skeleton(const ap_graph *g, const ap_offboard *o, caps cap)
{
    json_t *root = json_object(), *cut = json_object();
    char at[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    json_object_set_new(root, "partner", json_string(id_of(g, o->partner)));
    json_object_set_new(root, "at", json_string(at));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "acting_for", json_array());
    json_object_set_new(root, "plan", json_array());
    json_object_set_new(root, "residual", json_array());
    json_object_set_new(root, "residual_more", json_integer(o->nresidual
        - items_shown(o->residual, o->nresidual, cap.actors, o->partner)));
    json_object_set_new(root, "collateral", json_array());
    json_object_set_new(root, "collateral_more", json_integer(o->ncollateral
        - items_shown(o->collateral, o->ncollateral, cap.actors, UINT32_MAX)
        + o->collateral_unlisted));
    json_object_set_new(root, "shared_credentials", json_array());
    json_object_set_new(root, "persistence", json_array());
    json_object_set_new(root, "contract_ends", time_json(o->contract_ends));
    json_object_set_new(cut, "min_sensitivity",
                        json_string(ap_sensitivity_name(o->min_sensitivity)));
    json_object_set_new(cut, "targets", json_array());
    json_object_set_new(cut, "edges", json_array());
    json_object_set_new(root, "cut", cut);
    json_object_set_new(root, "choke_points", json_array());
    json_object_set_new(root, "choke_points_skipped", json_boolean(o->chokes_skipped));
    return root;
}

static int offboard_write(ap_json_writer *w, const offboard_out *x, ap_error *err)
{
    const ap_graph *g = x->g;
    const ap_offboard *o = x->o;
    int rc;
    if ((rc = stream_ids(w, "acting_for", g, o->actors + 1, o->nactors - 1, err)) < 0
        || (rc = ap_json_writer_array(w, "plan", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < o->nplan; i++)
        rc = ap_json_writer_item(w, step_json(g, &o->plan[i], i + 1), err);
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0
        || (rc = stream_items(w, "residual", g, o->residual,
                              items_shown(o->residual, o->nresidual, x->cap.actors, o->partner),
                              "rights", false, err)) < 0
        || (rc = stream_items(w, "collateral", g, o->collateral,
                              items_shown(o->collateral, o->ncollateral, x->cap.actors,
                                          UINT32_MAX), "lost", true, err)) < 0
        || (rc = ap_json_writer_array(w, "shared_credentials", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < o->nshared; i++)
        rc = stream_shared(w, g, &o->shared[i], x->cap, err);
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0
        || (rc = ap_json_writer_array(w, "persistence", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < o->npersistence; i++)
        rc = stream_persistence(w, g, &o->persistence[i], err);
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0
        || (rc = stream_ids(w, "targets", g, o->targets, o->ntargets, err)) < 0
        || (rc = ap_json_writer_array(w, "edges", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < o->ncut; i++)
        rc = ap_json_writer_item(w, cli_json_edge(g, o->cut[i]), err);
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0
        || (rc = ap_json_writer_array(w, "choke_points", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < o->nchokes; i++)
        rc = stream_choke(w, g, &o->chokes[i], x->cap, err);
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0)
        return rc;
    return ap_json_writer_finish(w, err);
}

/* docs/json.md: partner, residual, collateral, shared_credentials, persistence, cut,
 * choke_points; other keys added. For cli_stream. */
static int write_offboard(FILE *out, void *arg, ap_error *err)
{
    const offboard_out *x = arg;
    ap_json_writer *w = NULL;
    int rc = ap_json_writer_new(&w, out, offboard_skeleton(x->g, x->o, x->cap), err);
    if (rc == AP_OK)
        rc = offboard_write(w, x, err);
    ap_json_writer_free(w);
    return rc;
}

/* ---- Text: an ordered plan a risk team can execute and tick off ---- */

static void put_rights(const ap_graph *g, ap_rights r)
{
    char buf[1024];
    ap_rights_format(buf, sizeof buf, ap_graph_vocab(g), r, ", ", true);
    fputs(buf, stdout);
}

static void put_ids(const ap_graph *g, const uint32_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        fputs(i == 0 ? "" : ", ", stdout);
        cli_put(id_of(g, v[i]));
    }
}

static void put_path(const ap_graph *g, uint32_t source, const uint32_t *path, uint32_t n)
{
    char *text = cli_path_text_cut(g, source, path, n);
    cli_put(text != NULL ? text : "?");
    free(text);
}

/* Reach items grouped by actor: "actor keeps:" then one line per node with its evidence; the
 * items of partner and the first `actors` other actors, then how many actors are left out. */
static void put_items(const ap_graph *g, const ap_reach_item *it, uint32_t n, const char *verb,
                      const char *indent, uint32_t actors, uint32_t partner, uint32_t unlisted)
{
    uint32_t shown = items_shown(it, n, actors, partner), more = unlisted;
    for (uint32_t i = shown; i < n; i++)
        more += i == shown || it[i].actor != it[i - 1].actor;
    if (shown < n)
        n = shown;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || it[i].actor != it[i - 1].actor) {
            fputs(indent, stdout);
            cli_put(id_of(g, it[i].actor));
            printf(" (%s) %s:\n", ap_kind_name(ap_graph_node(g, it[i].actor)->kind), verb);
        }
        printf("%s  ", indent);
        cli_put(id_of(g, it[i].node));
        if (it[i].dependency) {
            fputs(": a depends_on target the plan cuts", stdout);
        } else {
            fputs(" (", stdout);
            put_rights(g, it[i].rights);
            fputs(") through ", stdout);
            put_path(g, it[i].actor, it[i].path, it[i].npath);
            if (it[i].carried != it[i].rights) {
                fputs(" [", stdout);    /* as authority's: the chain carries less */
                put_rights(g, it[i].carried);
                fputs("]", stdout);
            }
        }
        if (it[i].cause != UINT32_MAX)
            printf(" [step %u]", it[i].cause + 1);
        fputs("\n", stdout);
    }
    if (more > 0)
        printf("%s+%u more %s (not listed: --all lists them)\n", indent, more,
               more == 1 ? "actor" : "actors");
}

/* The step revoking credential v (1-based), 0 when none does: the plan's revocations come
 * first, by id (node order), so a binary search finds it (a scan of the plan per shared
 * credential made 50,000 shared keys quadratic). */
static uint32_t step_of_credential(const ap_offboard *o, uint32_t v)
{
    uint32_t lo = 0, hi = o->nplan;
    while (lo < hi) {           /* the first step that is not a revocation of a lesser id */
        uint32_t mid = lo + (hi - lo) / 2;
        const ap_offboard_step *st = &o->plan[mid];
        if (st->kind == AP_STEP_REVOKE_CREDENTIAL && st->target < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < o->nplan && o->plan[lo].kind == AP_STEP_REVOKE_CREDENTIAL
           && o->plan[lo].target == v ? lo + 1 : 0;
}

/* Whether the plan's credential v is shared: o->shared is by credential id. */
static bool is_shared(const ap_offboard *o, uint32_t v)
{
    uint32_t lo = 0, hi = o->nshared;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (o->shared[mid].credential < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < o->nshared && o->shared[lo].credential == v;
}

static void print_plan(const ap_graph *g, const ap_offboard *o)
{
    printf("1. The plan: tick off in order\n");
    for (uint32_t i = 0; i < o->nplan; i++) {
        const ap_offboard_step *st = &o->plan[i];
        printf("    [ ] %2u. ", i + 1);
        if (st->kind == AP_STEP_REMOVE_EDGE) {
            fputs("remove edge ", stdout);
            cli_put_edge(g, st->target);
        } else {
            const char *type = ap_graph_node_str(g, st->target, "type");
            fputs("revoke credential ", stdout);
            cli_put(id_of(g, st->target));
            if (type != NULL) {
                fputs(" (", stdout);
                cli_put(type);
                fputs(")", stdout);
            }
            if (is_shared(o, st->target))
                fputs(": shared, decide first (section 2)", stdout);
        }
        fputs("\n", stdout);
    }
    if (o->nplan == 0)
        printf("    nothing to do: the partner holds no live credential and has no live edge\n");
}

static void print_shared(const ap_graph *g, const ap_offboard *o, caps cap)
{
    printf("\n2. Shared credentials: revoke or keep\n");
    if (o->nshared == 0)
        printf("    none: no credential the plan revokes is held by anyone else\n");
    for (uint32_t i = 0; i < o->nshared; i++) {
        const ap_shared_credential *sc = &o->shared[i];
        printf("    ");
        cli_put(id_of(g, sc->credential));
        printf(" (step %u), also held by ", step_of_credential(o, sc->credential));
        put_ids(g, sc->holders, sc->nholders);
        printf("\n      revoke it, and this breaks:%s\n",
               sc->nbreaks + sc->breaks_unlisted ? "" : " nothing");
        put_items(g, sc->breaks, sc->nbreaks, "loses", "        ", cap.actors, UINT32_MAX,
                  sc->breaks_unlisted_actors);
        printf("      keep it, and this stays with the partner:%s\n",
               sc->nkeeps ? "" : " nothing");
        put_items(g, sc->keeps, sc->nkeeps, "keeps", "        ", UINT32_MAX, UINT32_MAX, 0);
    }
}

static void print_effects(const ap_graph *g, const ap_offboard *o, caps cap)
{
    printf("\n3. What remains after the plan (residual)\n");
    if (o->nresidual == 0) {
        fputs("    ", stdout);
        cli_put(id_of(g, o->partner));
        printf("%s nothing after the plan\n",
               o->nactors > 1 ? " and those acting for it reach" : " reaches");
    }
    put_items(g, o->residual, o->nresidual, "keeps", "    ", cap.actors, o->partner, 0);
    uint32_t dormant = 0;
    for (uint32_t i = 0; i < o->npersistence; i++)
        dormant += o->persistence[i].dormant;
    if (dormant > 0)
        printf("    but %u credential%s it holds become%s usable later, and the plan does not "
               "revoke %s (see 5)\n",
               dormant, dormant == 1 ? "" : "s", dormant == 1 ? "s" : "",
               dormant == 1 ? "it" : "them");
    printf("\n4. What breaks for others (collateral)\n");
    if (o->ncollateral + o->collateral_unlisted == 0)
        printf("    nothing: no other partner or workflow loses a right\n");
    put_items(g, o->collateral, o->ncollateral, "loses", "    ", cap.actors, UINT32_MAX,
              o->collateral_unlisted_actors);
}

/* "not valid until 2027-03-01, so the plan does not revoke it; from then it reaches
 * payments-db; held through " (or "suspended, ... reinstated, it reaches ..."). */
static void print_dormant(const ap_graph *g, const ap_offboard *o, const ap_persistence_item *p)
{
    char when[32];
    if (p->suspended) {
        fputs("suspended, so the plan does not revoke it; reinstated, it reaches ", stdout);
    } else {
        ap_date_format(when, sizeof when, p->usable_from);
        printf("not valid until %s, so the plan does not revoke it; from then it reaches ",
               when);
    }
    for (uint32_t k = 0; k < p->nreaches; k++) {
        fputs(k ? ", " : "", stdout);
        cli_put(id_of(g, p->reaches[k]));
    }
    if (p->nreaches == 0)
        printf("no target at or above %s", ap_sensitivity_name(o->min_sensitivity));
    fputs("; held through ", stdout);
}

static void print_persistence(const ap_graph *g, const ap_offboard *o)
{
    char when[32];
    printf("\n5. Persistence risks\n");
    for (uint32_t i = 0; i < o->npersistence; i++) {
        const ap_persistence_item *p = &o->persistence[i];
        fputs("    ", stdout);
        if (p->mint) {
            cli_put(id_of(g, o->partner));
            fputs(" can mint credentials for ", stdout);
            cli_put(id_of(g, p->node));
            fputs(": look for credentials minted while it could; ", stdout);
        } else if (p->outlives) {
            cli_put(id_of(g, p->node));
            if (p->expires == AP_TIME_NONE) {
                fputs(" has no expiry", stdout);
            } else {
                ap_date_format(when, sizeof when, p->expires);
                printf(" expires %s", when);
            }
            ap_date_format(when, sizeof when, o->contract_ends);
            printf(": it outlives the contract, which ends %s; ", when);
            if (p->dormant)
                print_dormant(g, o, p);
            else if (p->edge != UINT32_MAX)
                fputs("not valid yet, then held through ", stdout);
        } else {
            cli_put(id_of(g, p->node));
            fputs(": ", stdout);
            print_dormant(g, o, p);
        }
        put_path(g, o->partner, p->path, p->npath);
        fputs("\n", stdout);
    }
    if (o->contract_ends == AP_TIME_NONE)
        printf("    the partner records no contract_ends: expiries not compared\n");
    else if (o->npersistence == 0)
        printf("    none\n");
}

static void print_cut(const ap_graph *g, const ap_offboard *o, caps cap)
{
    printf("\n6. Minimal revocation set\n");
    if (o->ntargets == 0) {
        printf("    nothing to cut: ");
        cli_put(id_of(g, o->partner));
        printf(" reaches no resource or workflow at or above %s\n",
               ap_sensitivity_name(o->min_sensitivity));
        return;
    }
    printf("    %u edge%s cut ", o->ncut, o->ncut == 1 ? "" : "s");
    cli_put(id_of(g, o->partner));
    printf(" off %u target%s at or above %s: ", o->ntargets, o->ntargets == 1 ? "" : "s",
           ap_sensitivity_name(o->min_sensitivity));
    put_ids(g, o->targets, o->ntargets);
    fputs("\n", stdout);
    for (uint32_t i = 0; i < o->ncut; i++) {
        fputs("    [ ] revoke edge ", stdout);
        cli_put_edge(g, o->cut[i]);
        fputs("\n", stdout);
    }
    printf("\n7. Choke points\n");
    if (o->chokes_skipped)
        printf("    not computed: the chains to the targets are too deep to search within the "
               "bound (%llu dominator steps); the cut above is exact\n",
               (unsigned long long)AP_OFFBOARD_CHOKE_STEPS);
    else if (o->nchokes == 0)
        printf("    none: no single node lies on every path to a target\n");
    for (uint32_t i = 0; i < o->nchokes; i++) {
        fputs("    ", stdout);
        cli_put(id_of(g, o->chokes[i].node));
        printf(" (%s): every path to ", ap_kind_name(ap_graph_node(g, o->chokes[i].node)->kind));
        uint32_t nt = o->chokes[i].ntargets, shown = nt < cap.targets ? nt : cap.targets;
        put_ids(g, o->chokes[i].targets, shown);
        if (shown < nt)
            printf(" and %u more target%s", nt - shown, nt - shown == 1 ? "" : "s");
        fputs(" passes through it\n", stdout);
    }
}

static void print_text(const ap_graph *g, const ap_offboard *o, caps cap)
{
    char at[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    fputs("Offboarding ", stdout);
    cli_put(ap_graph_node_label(g, o->partner));
    fputs(" (", stdout);
    cli_put(id_of(g, o->partner));
    printf(") at %s, snapshot %lld: a simulation, the database is not changed.\n", at,
           (long long)ap_graph_snapshot(g));
    if (o->nactors > 1) {
        fputs("Acting for it: ", stdout);
        put_ids(g, o->actors + 1, o->nactors - 1);
        fputs("\n", stdout);
    }
    fputs("\n", stdout);
    print_plan(g, o);
    print_shared(g, o, cap);
    print_effects(g, o, cap);
    print_persistence(g, o);
    print_cut(g, o, cap);
}

/* The partner's authority with the cut edges and choke points marked. */
static int offboard_diagram(const ap_graph *g, const ap_offboard *o, const char *format)
{
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    int rc;
    if (ap_authority_compute(&a, g, o->partner, &err) < 0
        || ap_diagram_offboard(&d, g, a, o, &err) < 0)
        rc = cli_fail(&err, NULL);
    else
        rc = cli_write_diagram(g, d, format);
    ap_diagram_free(d);
    ap_authority_free(a);
    return rc;
}

int cmd_offboard(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "min-sensitivity", required_argument, NULL, 's' },
        { "all", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("offboard");
    ap_offboard_opts oo = { AP_SENS_CONFIDENTIAL, false, CLI_LIST_MAX, false, false, 0 };
    caps cap = { CLI_LIST_MAX, CLI_LIST_MAX };
    ap_offboard *o = NULL;
    const char *format;
    ap_error err;
    int64_t p;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 'a') {
            cap.actors = cap.targets = UINT32_MAX;
            oo.max_actors = 0;          /* every actor's losses, listed */
            continue;
        }
        if (opt != 's')
            return EXIT_USAGE;
        if ((oo.min_sensitivity = ap_sensitivity_parse(optarg)) == AP_SENS_NONE) {
            ap_error_set(&err, AP_EINPUT, "--min-sensitivity: unknown sensitivity '%s' "
                         "(expected one of %s)", optarg, AP_SENS_NAMES);
            return cli_fail(&err, NULL);
        }
    }
    if (argc - optind != 1) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,dot,svg,png,pdf")) == NULL
        || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_partner(ctx, argv[optind])) < 0)
        return EXIT_USAGE;
    if (ap_offboard_compute(&o, ctx->g, (uint32_t)p, &oo, &err) < 0)
        return cli_fail(&err, NULL);
    if (cli_is_diagram_format(format)) {
        rc = offboard_diagram(ctx->g, o, format);
    } else if (strcmp(format, "json") == 0) {
        offboard_out x = { ctx->g, o, cap };
        rc = cli_stream(write_offboard, &x);
    } else {
        print_text(ctx->g, o, cap);
        rc = EXIT_OK;
    }
    ap_offboard_free(o);
    return rc;
}
