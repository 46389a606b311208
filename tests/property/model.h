/* tests/property/model.h: a random inventory and a brute-force transcription of docs/design.md's
 * authority rounds over it. Shares no code with the engine: only the inventory text is common. */
#ifndef AP_TEST_MODEL_H
#define AP_TEST_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define M_MAX_NODES 24
#define M_MAX_EDGES 80
#define M_NRIGHTS 10                /* 8 built-ins and two custom rights */

typedef struct {
    char id[16];
    int kind;                       /* 0 partner 1 identity 2 credential 3 role 4 resource 5 wf */
    int state;                      /* index into the state names */
    int64_t valid_from, expires;    /* INT64_MIN when absent */
    int has_contract;
} m_node;

typedef struct {
    int from, to;
    int kind;                       /* index into the edge kind names */
    uint64_t rights, requires;      /* after defaults */
    int escalates;
    int state;
    int64_t valid_from, expires;
    const char *rights_text, *requires_text;   /* JSON as written, NULL when absent */
    int escalates_given;
} m_edge;

typedef struct {
    int n, m;
    m_node nodes[M_MAX_NODES];
    m_edge edges[M_MAX_EDGES];
    int64_t at;
} m_inventory;

/* A random inventory from seed (deterministic). */
void m_generate(m_inventory *inv, uint64_t seed);
/* The inventory as native JSON; caller frees. */
char *m_to_json(const m_inventory *inv);
/* Brute force: rights[v] and hops[v] (-1 unreached) for source s by the literal rounds. */
void m_authority(const m_inventory *inv, int s, uint64_t *rights, int *hops);
/* The same with blocked nonzero: every partner but s receives, but sends nothing (its out-edges
 * are skipped), so what s holds there is what it reaches without passing another partner. */
void m_authority_blocked(const m_inventory *inv, int s, int blocked, uint64_t *rights, int *hops);
/* Is edge e usable from source s at inv->at? (the same rule, written out again for checks) */
int m_edge_live(const m_inventory *inv, const m_edge *e, int s);

/* The store's id of model edge i: from|kind|to, with #k for the k-th repeat in file order. */
void m_edge_id(char *buf, size_t size, const m_inventory *inv, int i);

/* Asked when step i of a replayed chain is gated and the chain itself brings no required right:
 * nonzero when the caller has verified another witness of a required right at the step's tail
 * (the evidence is then a small tree). */
typedef int (*m_gate_check)(void *ctx, int step, uint64_t requires);

/* Replay a chain of model edges from s, which holds every right, by the round rule: each step
 * starts where the last ended, is usable from s, is not depends_on, and hands on carried &
 * rights (escalating: its rights) from a non-empty carried; a gate opens on what the chain
 * carries, else when gate() says so. What the chain delivers at its end; 0 when it breaks. */
uint64_t m_replay(const m_inventory *inv, int s, const int *edges, int len, m_gate_check gate,
                  void *ctx);

#endif
