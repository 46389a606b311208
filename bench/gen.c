/* bench/gen.c: a synthetic estate of any size, deterministic from a seed, as the native CSV pair
 * (DIR/estate-S-nodes.csv, DIR/estate-S-edges.csv). S=1: about 10k nodes and 50k edges. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per unit of scale. Partners are 1% of the nodes. */
#define N_PARTNER 100
#define N_IDENTITY 3000
#define N_CREDENTIAL 2500
#define N_ROLE 800
#define N_RESOURCE 3000
#define N_WORKFLOW 600
#define N_HUB 20            /* roles that many identities share (not per unit: one set) */

static uint64_t rng;

static uint64_t next(void)      /* splitmix64 */
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t pick(uint64_t n) { return n ? next() % n : 0; }
static int chance(unsigned percent) { return pick(1000) < percent * 10u; }
static int chance_permille(unsigned pm) { return pick(1000) < pm; }

static uint64_t np, ni, nc, nr, nx, nw;
static uint64_t nedges;
static FILE *nf, *ef;

/* A lifecycle mix: mostly live, some not yet, some over. */
static const char *node_state(void)
{
    static const char *const s[] = { "suspended", "revoked", "requested", "under_review" };
    return chance(3) ? s[pick(4)] : "";
}

static const char *edge_state(void)
{
    static const char *const s[] = { "suspended", "revoked", "requested", "approved",
                                      "under_review" };
    return chance(4) ? s[pick(5)] : "";
}

/* expires: 5% in the past, 30% in the future, else none; valid_from: 1% in the future. */
static void dates(char *vf, char *ex)
{
    vf[0] = ex[0] = '\0';
    if (chance(1))
        sprintf(vf, "2031-0%d-01", 1 + (int)pick(9));
    uint64_t r = pick(100);
    if (r < 5)
        sprintf(ex, "202%d-%02d-15", (int)pick(5), 1 + (int)pick(12));
    else if (r < 35)
        sprintf(ex, "20%d-%02d-01", 27 + (int)pick(5), 1 + (int)pick(12));
}

static void edge(const char *kind, const char *from, uint64_t a, const char *to, uint64_t b,
                 const char *rights, const char *requires, const char *escalates)
{
    char vf[16], ex[16];
    dates(vf, ex);
    fprintf(ef, "e%" PRIu64 ",%s%" PRIu64 ",%s%" PRIu64 ",%s,%s,%s,%s,%s,%s,%s\n", nedges++,
            from, a, to, b, kind, rights, requires, escalates, edge_state(), vf, ex);
}

static const char *access_rights(void)
{
    static const char *const r[] = { "read", "read|write", "read|write|delete", "execute",
                                     "read|delete", "admin", "approve", "read|approve",
                                     "write|approve", "mint|delegate" };
    return chance(10) ? "" : r[pick(10)];
}

static void nodes(void)
{
    static const char *const sens[] = { "public", "internal", "internal", "confidential",
                                        "confidential", "restricted", "critical" };
    static const char *const env[] = { "prod", "prod", "staging", "dev" };
    fprintf(nf, "id,kind,name,type,domain,tier,state,sensitivity,environment,owner,valid_from,"
                "expires,contract_ends,static,multi_tenant\n");
    for (uint64_t i = 0; i < np; i++)
        fprintf(nf, "p%" PRIu64 ",partner,Partner %" PRIu64 ",vendor,,%s,%s,,,vendor-mgmt,,,"
                "20%d-12-31,,\n", i, i, i % 10 == 0 ? "privileged" : "standard",
                chance(5) ? "suspended" : "", 25 + (int)pick(5));
    for (uint64_t i = 0; i < ni; i++) {
        char vf[16], ex[16];
        dates(vf, ex);
        /* a third belongs to a partner's domain */
        char dom[32] = "";
        if (i % 3 == 0)
            sprintf(dom, "p%" PRIu64, (i / 3) % np);
        fprintf(nf, "i%" PRIu64 ",identity,svc-%" PRIu64 ",service_account,%s,,%s,,%s,team-%"
                PRIu64 ",%s,%s,,,\n", i, i, dom, node_state(), env[pick(4)], pick(50), vf, ex);
    }
    for (uint64_t i = 0; i < nc; i++) {
        char vf[16], ex[16];
        dates(vf, ex);
        fprintf(nf, "c%" PRIu64 ",credential,key-%" PRIu64 ",%s,p%" PRIu64 ",,%s,,,,%s,%s,,%s,"
                "%s\n", i, i, chance(50) ? "api_key" : "client_secret", i % np, node_state(),
                vf, ex, chance(60) ? "true" : "false", chance(2) ? "true" : "");
    }
    for (uint64_t i = 0; i < nr; i++)
        fprintf(nf, "r%" PRIu64 ",role,role-%" PRIu64 ",%s,,,%s,,,iam,,,,,\n", i, i,
                i < N_HUB ? "hub" : "group", node_state());
    for (uint64_t i = 0; i < nx; i++)
        fprintf(nf, "x%" PRIu64 ",resource,res-%" PRIu64 ",datastore,,,%s,%s,%s,data-%" PRIu64
                ",,,,,\n", i, i, node_state(), sens[pick(7)], env[pick(4)], pick(40));
    for (uint64_t i = 0; i < nw; i++)
        fprintf(nf, "w%" PRIu64 ",workflow,flow-%" PRIu64 ",pipeline,,,%s,%s,prod,ops,,,,,\n", i,
                i, node_state(), sens[pick(7)]);
}

/* A role's resources: roles are clustered so that a role grants nearby resources. */
static uint64_t near(uint64_t centre, uint64_t n, uint64_t spread)
{
    return (centre + n + pick(2 * spread + 1) - spread) % n;
}

static void edges(void)
{
    fprintf(ef, "id,from,to,kind,rights,requires,escalates,state,valid_from,expires\n");
    /* partners: subcontractor chains (a partner acts for an earlier one), a few loops */
    for (uint64_t i = 1; i < np; i++) {
        if (chance(30))
            edge("subcontractor_of", "p", i, "p", pick(i), "", "", "");
        if (i % 97 == 0)
            edge("subcontractor_of", "p", i - 1, "p", i, "", "", "");
    }
    /* credentials: each held by its partner, some shared, some by identities and workflows */
    for (uint64_t i = 0; i < nc; i++) {
        /* a quarter are partners' (one partner each, 5% shared), the rest home identities' */
        if (i % 4 == 0) {
            edge("holds", "p", (i / 4) % np, "c", i, "", "", "");
            if (chance(5))
                edge("holds", "p", pick(np), "c", i, "", "", "");
        } else if (i % 4 == 1) {
            edge("holds", "i", pick(ni), "c", i, "", "", "");
        } else {
            edge("holds", "w", pick(nw), "c", i, "", "", "");
        }
        edge("authenticates_as", "c", i, "i", pick(ni), "", "", "");
    }
    /* delegated admin and minting */
    for (uint64_t i = 0; i < np; i++)
        for (int k = 0; k < 2; k++)
            edge("admin_of", "p", i, "i", pick(ni), "", "", "");
    for (uint64_t i = 0; i < 2 * np; i++)
        edge("can_mint", "i", pick(ni), "c", pick(nc), "", "", "");
    /* identities in roles: one hub now and then, a few ordinary roles near each other */
    for (uint64_t i = 0; i < ni; i++) {
        uint64_t home = pick(nr);
        if (chance(10))
            edge("member_of", "i", i, "r", pick(N_HUB < nr ? N_HUB : nr), "", "", "");
        for (int k = 0; k < 4; k++)
            edge("member_of", "i", i, "r", near(home, nr, 20), "", "", "");
        if (chance(10)) {
            int to_role = chance(50);
            edge("can_assume", "i", i, to_role ? "r" : "i", to_role ? pick(nr) : pick(ni), "",
                 "", "");
        }
        if (chance(100))
            edge("access", "i", i, "x", pick(nx), access_rights(), "", "");
    }
    /* roles grant rights on resources; hubs grant few and narrow */
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t centre = pick(nx);
        int n = i < N_HUB ? 5 : 34;
        for (int k = 0; k < n; k++)
            edge("access", "r", i, "x", i < N_HUB ? pick(nx) : near(centre, nx, 60),
                 i < N_HUB ? "read" : access_rights(), "", "");
        if (chance(3))
            edge("access", "r", i, "w", pick(nw), "execute", "", "");
    }
    /* resources trigger workflows (gated on write); workflows run as privileged identities */
    for (uint64_t i = 0; i < nw / 20; i++)
        edge("triggers", "x", pick(nx), "w", pick(nw), "", chance_permille(50) ? "approve" : "",
             "");
    for (uint64_t i = 0; i < nw; i++)
        edge("runs_as", "w", i, "i", pick(ni / 20 + 1), chance(50) ? "read|write" : "", "", "");
    /* collateral: identities and workflows depend on resources (never traversed) */
    for (uint64_t i = 0; i < 5 * np * 2; i++) {
        int from_wf = chance(50);
        edge("depends_on", from_wf ? "w" : "i", from_wf ? pick(nw) : pick(ni), "x", pick(nx),
             "", "", "");
    }
}

int main(int argc, char **argv)
{
    char path[4096];
    if (argc != 4) {
        fprintf(stderr, "usage: gen S SEED DIR   (writes DIR/estate-S-nodes.csv and "
                        "DIR/estate-S-edges.csv)\n");
        return 2;
    }
    double s = atof(argv[1]);
    rng = strtoull(argv[2], NULL, 10) * 0x2545F4914F6CDD1Dull + 1;
    if (s <= 0) {
        fprintf(stderr, "gen: S must be positive\n");
        return 2;
    }
    np = (uint64_t)(N_PARTNER * s);
    ni = (uint64_t)(N_IDENTITY * s);
    nc = (uint64_t)(N_CREDENTIAL * s);
    nr = (uint64_t)(N_ROLE * s) > N_HUB ? (uint64_t)(N_ROLE * s) : N_HUB + 1;
    nx = (uint64_t)(N_RESOURCE * s);
    nw = (uint64_t)(N_WORKFLOW * s);
    if (np < 2 || ni < 1 || nc < 1 || nx < 1 || nw < 1) {
        fprintf(stderr, "gen: S is too small\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/estate-%s-nodes.csv", argv[3], argv[1]);
    if ((nf = fopen(path, "w")) == NULL) {
        perror(path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/estate-%s-edges.csv", argv[3], argv[1]);
    if ((ef = fopen(path, "w")) == NULL) {
        perror(path);
        return 1;
    }
    nodes();
    edges();
    if (fclose(nf) != 0 || fclose(ef) != 0) {
        perror("gen");
        return 1;
    }
    fprintf(stderr, "gen: %" PRIu64 " nodes, %" PRIu64 " edges, %" PRIu64 " partners\n",
            np + ni + nc + nr + nx + nw, nedges, np);
    return 0;
}
