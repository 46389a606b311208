/* tests/property/test_findings_lanes_delegation.c: the partners of the delegation, review and
 * scope findings moved onto the all-partners kernel, against the model's rounds on seeded random
 * inventories (m_authority, m_authority_blocked): exactly the partners the definitions name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "model.h"
#include "support.h"

#define SEEDS (400 / AP_SEED_DIV)

static long checked[4];     /* fourth-party, inherits, review, scope-undeclared findings */

/* Resources and workflows with a sensitivity each, by position and seed. */
static char *with_sensitivity(char *json, uint64_t seed)
{
    static const char *const names[] = { "internal", "confidential", "restricted", "critical",
                                         "public" };
    return ap_test_with_sensitivity(json, seed, names, sizeof names / sizeof names[0], 3);
}

static bool is_target(const ap_graph *g, uint32_t v)
{
    ap_kind k = ap_graph_node(g, v)->kind;
    return k == AP_KIND_RESOURCE || k == AP_KIND_WORKFLOW;
}

/* Are p and q members of one loop the engine's delegation-loop finding names? */
static bool one_loop(const ap_findings *f, uint32_t p, uint32_t q)
{
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        bool hp = false, hq = false;
        if (strcmp(x->rule->id, "delegation-loop") != 0)
            continue;
        for (size_t k = 0; k < x->npartners; k++) {
            hp |= x->partners[k] == p;
            hq |= x->partners[k] == q;
        }
        if (hp && hq)
            return true;
    }
    return false;
}

/* The findings of rule about partner p (subject, when not AP_UNREACHED): how many, and the last
 * read back (ap_findings_get's evidence is valid until the next get). */
static size_t findings_of(const ap_findings *f, const char *rule, uint32_t p, uint32_t subject,
                          const ap_finding **last)
{
    size_t n = 0, at = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        if (strcmp(x->rule->id, rule) != 0 || x->partner != p
            || (subject != AP_UNREACHED && x->subject != subject))
            continue;
        n++;
        at = i;
    }
    if (n > 0)
        *last = ap_findings_get(f, at);
    return n;
}

static void check_one(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    uint64_t plain[M_MAX_NODES], direct[M_MAX_NODES];
    int hops[M_MAX_NODES], plain_hops[M_MAX_NODES];
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(with_sensitivity(m_to_json(&inv), seed), inv.at,
                                    "lanes-delegation", seed, &st);
    uint32_t n = ap_graph_node_count(g);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    size_t total[4] = { 0 }, expected[4] = { 0 };
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const char *id = ap_findings_get(f, i)->rule->id;
        total[0] += strcmp(id, "fourth-party-sensitive") == 0;
        total[1] += strcmp(id, "partner-inherits-partner") == 0;
        total[2] += strcmp(id, "review-overdue") == 0;
        total[3] += strcmp(id, "scope-undeclared") == 0;
    }
    for (uint32_t p = 0; p < n; p++) {
        const ap_finding *x = NULL;
        if (ap_graph_node(g, p)->kind != AP_KIND_PARTNER)
            continue;
        assert_string_equal(ap_graph_node(g, p)->id, inv.nodes[p].id);
        m_authority(&inv, (int)p, plain, plain_hops);
        m_authority_blocked(&inv, (int)p, 1, direct, hops);
        uint32_t through[AP_SENS_COUNT] = { 0 }, sensitive = 0, all = 0;
        ap_sensitivity top = AP_SENS_INTERNAL;
        for (uint32_t v = 0; v < n; v++) {
            ap_sensitivity s = ap_graph_node(g, v)->sensitivity;
            if (v == p || plain[v] == 0 || !is_target(g, v))
                continue;
            if (s > top)
                top = s;
            if (s < AP_SENS_CONFIDENTIAL)
                continue;
            sensitive++;
            if (direct[v] == 0)
                through[s]++;
        }
        for (int s = 0; s < AP_SENS_COUNT; s++)
            all += through[s];
        /* fourth-party-sensitive: the sensitive targets it reaches only through others */
        size_t got = findings_of(f, "fourth-party-sensitive", p, AP_UNREACHED, &x);
        if (got != (all > 0))
            fail_msg("seed %llu: fourth-party-sensitive of n%02u: %zu findings, %u targets only "
                     "through others", (unsigned long long)seed, p, got, all);
        if (got == 1) {
            char want[160] = "";
            for (int s = AP_SENS_COUNT - 1; s >= AP_SENS_CONFIDENTIAL; s--)
                if (through[s] > 0)
                    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s %u",
                             want[0] ? ", " : "", ap_sensitivity_name((ap_sensitivity)s),
                             through[s]);
            const char *by = ap_finding_fact(x, "by_sensitivity");
            uint32_t end = ap_graph_edge(g, x->path[x->npath - 1])->to;
            if (by == NULL || strcmp(by, want) != 0 || x->subject != p || x->npartners != 1
                || direct[end] != 0 || plain[end] == 0)
                fail_msg("seed %llu: fourth-party-sensitive of n%02u: %s, not %s, or its chain "
                         "ends at n%02u, held directly", (unsigned long long)seed, p,
                         by != NULL ? by : "none", want, end);
            /* the nearest of the most sensitive (all of them kept: 32 at most) */
            int level = AP_SENS_COUNT - 1, nearest = -1;
            while (through[level] == 0)
                level--;
            for (uint32_t v = 0; v < n; v++)
                if (v != p && plain[v] != 0 && direct[v] == 0 && is_target(g, v)
                    && ap_graph_node(g, v)->sensitivity == level
                    && (nearest < 0 || plain_hops[v] < nearest))
                    nearest = plain_hops[v];
            if (through[level] <= 32 && (ap_graph_node(g, end)->sensitivity != level
                                         || plain_hops[end] != nearest))
                fail_msg("seed %llu: fourth-party-sensitive of n%02u: its chain ends at n%02u, "
                         "%d rounds away, not at the nearest of its most sensitive (%d)",
                         (unsigned long long)seed, p, end, plain_hops[end], nearest);
            expected[0]++;
        }
        /* partner-inherits-partner: every other partner it holds directly, but its loop's */
        for (uint32_t q = 0; q < n; q++) {
            if (q == p || ap_graph_node(g, q)->kind != AP_KIND_PARTNER)
                continue;
            bool want = direct[q] != 0 && !one_loop(f, p, q);   /* before the get below */
            got = findings_of(f, "partner-inherits-partner", p, q, &x);
            if (got != want)
                fail_msg("seed %llu: partner-inherits-partner n%02u > n%02u: %zu findings, "
                         "held directly %d", (unsigned long long)seed, p, q, got,
                         direct[q] != 0);
            expected[1] += want;
        }
        /* review-overdue (no partner of the model is reviewed): the level it sets */
        got = findings_of(f, "review-overdue", p, AP_UNREACHED, &x);
        if (got != 1 || strcmp(ap_finding_fact(x, "sensitivity"), ap_sensitivity_name(top)) != 0)
            fail_msg("seed %llu: review-overdue of n%02u: %zu findings, %s, not %s",
                     (unsigned long long)seed, p, got,
                     got == 1 ? ap_finding_fact(x, "sensitivity") : "-",
                     ap_sensitivity_name(top));
        expected[2]++;
        /* scope-undeclared (no partner of the model declares a scope) */
        got = findings_of(f, "scope-undeclared", p, AP_UNREACHED, &x);
        char count[16];
        snprintf(count, sizeof count, "%u", sensitive);
        if (got != (sensitive > 0)
            || (got == 1 && strcmp(ap_finding_fact(x, "sensitive_targets"), count) != 0))
            fail_msg("seed %llu: scope-undeclared of n%02u: %zu findings, %u sensitive targets",
                     (unsigned long long)seed, p, got, sensitive);
        expected[3] += sensitive > 0;
    }
    for (int k = 0; k < 4; k++) {
        if (total[k] != expected[k])
            fail_msg("seed %llu: %zu findings of rule %d, %zu expected", (unsigned long long)seed,
                     total[k], k, expected[k]);
        checked[k] += (long)total[k];
    }
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_findings_lanes_delegation__partners_are_the_models(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed);
    print_message("%ld fourth-party, %ld inherits, %ld review, %ld scope-undeclared findings\n",
                  checked[0], checked[1], checked[2], checked[3]);
    assert_true(checked[0] > 9 / AP_SEED_DIV && checked[1] > 20 / AP_SEED_DIV);
    assert_true(checked[2] > 20 / AP_SEED_DIV && checked[3] > 20 / AP_SEED_DIV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_lanes_delegation__partners_are_the_models),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
