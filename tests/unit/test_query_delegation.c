/* tests/unit/test_query_delegation.c: partner chains with their depth, delegation loops of
 * length 1, 2 and 5 in loop order, inheritance with the rights that cross, and the filter. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */

typedef struct {
    ap_store *st;
    ap_graph *g;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ap_error err;
    if (f == NULL || ap_test_store_setup((void **)&f->st) != 0)
        return -1;
    if (ap_test_import(f->st, FIXTURE("diagrams/estate.json"), &err) != AP_OK)
        return -1;
    f->g = ap_test_graph(f->st, AT);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ap_graph_free(f->g);
    ap_store_close(f->st);
    free(f);
    return 0;
}

static const char *id(const ap_graph *g, uint32_t v) { return ap_graph_node(g, v)->id; }

static const ap_chain *chain_of(const ap_graph *g, const ap_delegation *d, const char *p)
{
    for (uint32_t i = 0; i < d->nchains; i++)
        if (strcmp(id(g, d->chains[i].partner), p) == 0)
            return &d->chains[i];
    return NULL;
}

static ap_delegation *compute(const ap_graph *g, const char *partner)
{
    ap_delegation *d = NULL;
    ap_error err;
    int64_t p = partner != NULL ? ap_graph_find(g, partner) : -1;
    assert_int_equal(ap_delegation_compute(&d, g, p, &err), AP_OK);
    return d;
}

/* initech acts for globex, which acts for acme: a fifth party, acme at distance 2. */
static void test_delegation__chains_nearest_first_with_depth(void **state)
{
    fixture *f = *state;
    ap_delegation *d = compute(f->g, NULL);
    const ap_chain *c = chain_of(f->g, d, "initech");
    assert_int_equal(d->nchains, 9);
    assert_non_null(c);
    assert_int_equal(c->nacts, 2);
    assert_string_equal(id(f->g, c->acts_for[0]), "globex");
    assert_string_equal(id(f->g, c->acts_for[1]), "acme");
    assert_int_equal(c->dist[0], 1);
    assert_int_equal(c->dist[1], 2);
    assert_int_equal(c->depth, 2);
    assert_string_equal(ap_graph_edge(f->g, c->via[1])->id, "globex|subcontractor_of|acme");
    c = chain_of(f->g, d, "globex");
    assert_non_null(c);
    assert_int_equal(c->depth, 1);
    assert_null(chain_of(f->g, d, "acme"));     /* acts for nobody */
    assert_null(chain_of(f->g, d, "solo"));     /* only for itself */
    ap_delegation_free(d);
}

/* Loops of length 2, 5 and 1, each from its lowest id, in loop order, with their links. */
static void test_delegation__loops_of_length_1_2_5(void **state)
{
    fixture *f = *state;
    ap_delegation *d = compute(f->g, NULL);
    assert_int_equal(d->nloops, 3);
    assert_int_equal(d->loops[0].len, 2);
    assert_string_equal(id(f->g, d->loops[0].nodes[0]), "hooli");
    assert_string_equal(id(f->g, d->loops[0].nodes[1]), "umbrella");
    assert_string_equal(ap_graph_edge(f->g, d->loops[0].edges[0])->id,
                        "hooli|subcontractor_of|umbrella");
    assert_string_equal(ap_graph_edge(f->g, d->loops[0].edges[1])->id,
                        "umbrella|admin_of|hooli");
    assert_int_equal(d->loops[1].len, 5);
    for (uint32_t i = 0; i < 5; i++) {
        char want[16];
        snprintf(want, sizeof want, "ring-%u", i + 1);
        assert_string_equal(id(f->g, d->loops[1].nodes[i]), want);
        assert_int_equal(ap_graph_edge(f->g, d->loops[1].edges[i])->from, d->loops[1].nodes[i]);
        assert_int_equal(ap_graph_edge(f->g, d->loops[1].edges[i])->to,
                         d->loops[1].nodes[(i + 1) % 5]);
    }
    assert_int_equal(d->loops[2].len, 1);
    assert_string_equal(id(f->g, d->loops[2].nodes[0]), "solo");
    ap_delegation_free(d);
}

/* umbrella administers hooli with read and admin only: that is what it inherits. */
static void test_delegation__inheritance_with_rights_across_each_link(void **state)
{
    fixture *f = *state;
    ap_delegation *d = compute(f->g, NULL);
    const ap_vocab *voc = ap_graph_vocab(f->g);
    ap_rights read_admin = (ap_rights)1 << ap_vocab_find(voc, "read")
                           | (ap_rights)1 << ap_vocab_find(voc, "admin");
    bool umbrella = false, initech = false;
    for (uint32_t i = 0; i < d->ninherits; i++) {
        const ap_inherit *in = &d->inherits[i];
        if (strcmp(id(f->g, in->heir), "umbrella") == 0) {
            assert_string_equal(id(f->g, in->from), "hooli");
            assert_true(in->rights == read_admin);
            assert_int_equal(in->npath, 1);
            assert_true(in->carried[0] == read_admin);
            umbrella = true;
        }
        if (strcmp(id(f->g, in->heir), "initech") == 0
            && strcmp(id(f->g, in->from), "acme") == 0) {
            assert_int_equal(in->hops, 2);
            assert_int_equal(in->npath, 2);
            initech = true;
        }
        if (i > 0)      /* by heir, then from */
            assert_true(d->inherits[i - 1].heir < in->heir
                        || (d->inherits[i - 1].heir == in->heir
                            && d->inherits[i - 1].from < in->from));
    }
    assert_true(umbrella && initech);
    assert_int_equal(d->ninherits, 25);
    ap_delegation_free(d);
}

/* Around hooli: its chain, umbrella's (which acts for it), its loop, its two inheritances. */
static void test_delegation__partner_filter(void **state)
{
    fixture *f = *state;
    ap_delegation *d = compute(f->g, "hooli");
    assert_int_equal(d->nchains, 2);
    assert_string_equal(id(f->g, d->chains[0].partner), "hooli");
    assert_string_equal(id(f->g, d->chains[1].partner), "umbrella");
    assert_int_equal(d->nloops, 1);
    assert_int_equal(d->loops[0].len, 2);
    assert_int_equal(d->ninherits, 2);
    ap_delegation_free(d);
}

/* A revoked or expired subcontracting link is no link: no chain, no loop. */
static void test_delegation__dead_links_do_not_count(void **state)
{
    (void)state;
    ap_store *st = NULL;
    ap_error err;
    const char *path = ap_test_write_temp("dead_links.json",
        "{\"nodes\": [{\"id\": \"a\", \"kind\": \"partner\"},"
        " {\"id\": \"b\", \"kind\": \"partner\"}],"
        " \"edges\": [{\"from\": \"a\", \"to\": \"b\", \"kind\": \"subcontractor_of\","
        " \"state\": \"revoked\"}, {\"from\": \"b\", \"to\": \"a\", \"kind\": \"admin_of\","
        " \"expires\": \"2025-01-01\"}]}");
    assert_int_equal(ap_test_store_setup((void **)&st), 0);
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    ap_graph *g = ap_test_graph(st, AT);
    ap_delegation *d = compute(g, NULL);
    assert_int_equal(d->nlinks, 0);
    assert_int_equal(d->nchains, 0);
    assert_int_equal(d->nloops, 0);
    assert_int_equal(d->ninherits, 0);
    ap_delegation_free(d);
    ap_graph_free(g);
    ap_store_close(st);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delegation__chains_nearest_first_with_depth),
        cmocka_unit_test(test_delegation__loops_of_length_1_2_5),
        cmocka_unit_test(test_delegation__inheritance_with_rights_across_each_link),
        cmocka_unit_test(test_delegation__partner_filter),
        cmocka_unit_test(test_delegation__dead_links_do_not_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
