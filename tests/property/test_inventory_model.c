/* tests/property/test_inventory_model.c: inventory's holders (the partners that hold or act
 * through each identity and credential) against the model's rounds, and over several batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "authpath/inventory.h"
#include "model.h"
#include "support.h"

#define SEEDS (300 / AP_SEED_DIV)
#define REVOKED 5           /* the model's state index of "revoked" */

static int u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* One node's holders against the partners expected (graph indices, ascending, n of them). */
static void check_holders(const ap_holders *h, const uint32_t *want, uint32_t n, uint32_t max,
                          const char *what)
{
    uint32_t listed = n < max ? n : max;
    if (h->n != listed || h->more != n - listed)
        fail_msg("%s: %u listed and %u more, expected %u and %u", what, h->n, h->more, listed,
                 n - listed);
    for (uint32_t i = 0; i < listed; i++)
        if (h->partners[i] != want[i])
            fail_msg("%s: holder %u is node %u, expected %u", what, i, h->partners[i], want[i]);
}

static void check_seed(uint64_t seed, uint32_t max)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_holders *h = NULL;
    ap_error err;
    uint64_t fix[M_MAX_NODES][M_MAX_NODES];
    int hops[M_MAX_NODES];
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "inventory", seed, &st);
    for (int s = 0; s < inv.n; s++)
        if (inv.nodes[s].kind == 0)
            m_authority(&inv, s, fix[s], hops);
    assert_int_equal(ap_inventory_holders(&h, g, max, 1, &err), AP_OK);
    for (int v = 0; v < inv.n; v++) {
        uint32_t want[M_MAX_NODES], n = 0, gv = (uint32_t)ap_graph_find(g, inv.nodes[v].id);
        char what[96];
        if (inv.nodes[v].kind != 1 && inv.nodes[v].kind != 2) {
            assert_int_equal(h[gv].n + h[gv].more, 0);
            continue;
        }
        for (int s = 0; s < inv.n; s++) {
            int held = 0;
            for (int e = 0; e < inv.m; e++)
                held |= inv.edges[e].from == s && inv.edges[e].to == v
                        && inv.edges[e].kind == 0 && inv.edges[e].state != REVOKED;
            if (inv.nodes[s].kind == 0 && (fix[s][v] != 0 || held))
                want[n++] = (uint32_t)ap_graph_find(g, inv.nodes[s].id);
        }
        qsort(want, n, sizeof *want, u32_cmp);
        snprintf(what, sizeof what, "seed %llu max %u %s", (unsigned long long)seed, max,
                 inv.nodes[v].id);
        check_holders(&h[gv], want, n, max, what);
    }
    ap_holders_free(h, ap_graph_node_count(g));
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_inventory__holders_match_the_model(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        check_seed(seed, 1000);
        check_seed(seed, 2);
    }
}

/* 200 partners over four batches of 64: p_i holds c_i (every tenth hold revoked), each c_i
 * authenticates as x. c_i's holder is p_i alone; x's are the first five of the 180 in id order,
 * and 175 more. */
static void test_inventory__batches_keep_their_partners(void **state)
{
    enum { NP = 200, MAX = 5 };
    size_t cap = 256 * NP + 256, len = 0;
    char *json = malloc(cap);
    ap_store *st = NULL;
    ap_holders *h = NULL;
    ap_error err;
    (void)state;
    len += (size_t)snprintf(json + len, cap - len, "{\"nodes\": [{\"id\": \"x\", \"kind\": "
                            "\"identity\"}");
    for (int i = 0; i < NP; i++)
        len += (size_t)snprintf(json + len, cap - len, ",{\"id\": \"p%03d\", \"kind\": "
                                "\"partner\"},{\"id\": \"c%03d\", \"kind\": \"credential\"}", i,
                                i);
    len += (size_t)snprintf(json + len, cap - len, "],\"edges\": [");
    for (int i = 0; i < NP; i++)
        len += (size_t)snprintf(json + len, cap - len, "%s{\"from\": \"p%03d\", \"to\": "
                                "\"c%03d\", \"kind\": \"holds\"%s},{\"from\": \"c%03d\", \"to\": "
                                "\"x\", \"kind\": \"authenticates_as\"}", i ? "," : "", i, i,
                                i % 10 == 0 ? ", \"state\": \"revoked\"" : "", i);
    snprintf(json + len, cap - len, "]}\n");
    ap_graph *g = ap_test_load_json(json, 1767225600, "inventory-batches", 0, &st);
    ap_kernel__words = 1;
    assert_int_equal(ap_inventory_holders(&h, g, MAX, 1, &err), AP_OK);
    ap_kernel__words = 0;
    for (int i = 0; i < NP; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%03d", i);
        const ap_holders *c = &h[ap_graph_find(g, id)];
        snprintf(id, sizeof id, "p%03d", i);
        uint32_t p = (uint32_t)ap_graph_find(g, id);
        check_holders(c, &p, i % 10 == 0 ? 0 : 1, MAX, id);
    }
    uint32_t want[MAX];
    for (int i = 1, k = 0; k < MAX; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%03d", i);
        if (i % 10 != 0)
            want[k++] = (uint32_t)ap_graph_find(g, id);
    }
    check_holders(&h[ap_graph_find(g, "x")], want, NP - NP / 10, MAX, "x");
    ap_holders_free(h, ap_graph_node_count(g));
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inventory__holders_match_the_model),
        cmocka_unit_test(test_inventory__batches_keep_their_partners),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
