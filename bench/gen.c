/* bench/gen.c: a synthetic estate of any size and shape, deterministic from a seed, as the native
 * CSV pair (DIR/estate-TAG-nodes.csv, -edges.csv). S=1: about 10k nodes and 50k edges. */

/* Usage: ap_bench_gen S SEED DIR [sparse|dense|cyclic] [knob=value...]. The shapes are presets
 * of the knobs (issue 18 point 1); a knob given after the shape overrides its preset value:
 *   reach=P     percent of the estate each partner should reach through the grant hubs (0-50;
 *               0 keeps the sparse shape's ~1%; dense 8, cyclic 4)
 *   hubshare=P  percent of identities that are members of a shared hub role (sparse 10,
 *               dense and cyclic 1: few hubs, each granting much)
 *   scc=P       percent of identities in a giant strongly connected component of can_assume
 *               edges (two out-edges each), entered by every partner through admin_of
 *               (0; cyclic 10)
 *   shared=P    percent of partner credentials held by 2-3 partners (sparse 5, dense 30)
 *   masked=P    percent of the component's can_assume and admin_of edges carrying a rights
 *               mask (mostly read, some write/delete/admin/approve; dense 60); the grant
 *               hubs' edges always carry one
 *   gated=P     percent of the component's edges and of triggers gated on a right (approve or
 *               write; sparse 5, dense 10)
 * TAG is S for the plain sparse shape, SHAPE-S for a preset, custom-S when knobs are given. */
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
#define N_GRANT_HUB 60      /* dense shapes: estate-wide roles that grant a share of everything */

/* The shape's knobs (gen S SEED DIR [SHAPE] [knob=value...]); sparse is the historical estate,
 * written byte for byte as before. */
static struct {
    const char *name;
    unsigned reach;         /* percent of the estate a partner should reach (0: sparse's ~1%) */
    unsigned hubshare;      /* percent of identities in a team hub (sparse: 10, one of 20) */
    unsigned scc;           /* percent of identities in a giant can_assume cycle structure */
    unsigned shared;        /* percent of partner credentials shared by 2-3 partners */
    unsigned masked;        /* percent of the cycle's and admin_of edges with a rights mask */
    unsigned gated;         /* percent of the cycle's edges and of triggers with a gate */
} shape = { "sparse", 0, 10, 0, 5, 0, 5 };

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
static uint64_t n_team;             /* dense: team hubs r[N_GRANT_HUB .. +n_team) */
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
                i < (shape.reach ? N_GRANT_HUB + n_team : N_HUB) ? "hub" : "group",
                shape.reach && i < N_GRANT_HUB + n_team ? "" : node_state());
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

/* Rights of a masked edge: mostly read, some write, a few admin. */
static const char *masked_rights(void)
{
    uint64_t r = pick(100);
    return r < 70 ? "read" : r < 85 ? "read|write" : r < 92 ? "read|write|delete"
         : r < 97 ? "admin" : "read|approve";
}

/* Rights of a grant hub's k-th grant: read, some admin and approve; write on a fixed number of
 * grants per hub, whatever the scale, so that the writes a hub hands out open a fixed number of
 * gated triggers (otherwise workflows running as identities in other hubs chain every hub into
 * every other and each partner reaches them all). */
static const char *hub_rights(uint64_t k)
{
    uint64_t r = pick(100);
    if (k < 40)
        return "read|write";
    return r < 90 ? "read" : r < 95 ? "admin" : "read|approve";
}

/* Dense shapes: identities share team hubs, team hubs sit in estate-wide grant hubs that each
 * grant a share of the resources (masked), so a partner reaches about shape.reach percent of the
 * estate; partners share credentials; a giant can_assume structure with masks and gates. */
static void dense_edges(void)
{
    uint64_t n_all = np + ni + nc + nr + nx + nw;
    /* a partner reaches a couple of hundred identities (credentials, can_assume, workflows),
     * hubshare% of them in a team hub, each team hub in 3 grant hubs: about 175 * hubshare% * 3
     * grant hubs (fewer when they collide; 175 calibrated on S=100's measured reach) */
    double hubs = 175.0 * shape.hubshare / 100.0 * 3.0;
    double miss = 1.0;                  /* the chance that a grant hub is not among them */
    for (int i = 0; i < (int)(hubs + 0.5); i++)
        miss *= 1.0 - 1.0 / N_GRANT_HUB;
    hubs = N_GRANT_HUB * (1.0 - miss);
    uint64_t fan = (uint64_t)(shape.reach / 100.0 * (double)n_all / (hubs > 0.5 ? hubs : 0.5));
    if (fan > nx)
        fan = nx;
    for (uint64_t h = 0; h < N_GRANT_HUB; h++) {
        uint64_t start = pick(nx);
        for (uint64_t k = 0; k < fan; k++)      /* a stride through the resources */
            edge("access", "r", h, "x", (start + k * 7919) % nx, hub_rights(k), "", "");
    }
    for (uint64_t t = 0; t < n_team; t++)
        for (int k = 0; k < 3; k++)
            edge("member_of", "r", N_GRANT_HUB + t, "r", pick(N_GRANT_HUB), "", "", "");
    /* (not the identities workflows run as: otherwise every hub reaches every other; nor the
     * giant structure's) */
    uint64_t ns = ni * shape.scc / 100;
    for (uint64_t i = ni / 20 + 1; i < ni - ns; i++)
        if (chance(shape.hubshare))
            edge("member_of", "i", i, "r", N_GRANT_HUB + pick(n_team), "", "", "");
    /* credentials shared by 2-3 partners */
    for (uint64_t i = 0; i < nc; i += 4)
        if (chance(shape.shared))
            for (int k = 1 + (int)pick(2); k > 0; k--)
                edge("holds", "p", pick(np), "c", i, "", "", "");
    /* the giant structure: the last scc% of the identities assume each other (two out-edges
     * each, masked and gated at the knobs' rates), half of them access a resource; every
     * partner administers one of them */
    uint64_t s0 = ni - ns;
    for (uint64_t i = s0; i < ni; i++) {
        for (int k = 0; k < 2; k++) {
            const char *req = chance(shape.gated) ? (chance(50) ? "approve" : "write") : "";
            edge("can_assume", "i", i, "i", s0 + pick(ns),
                 chance(shape.masked) ? masked_rights() : "", req, "");
        }
        if (chance(50))
            edge("access", "i", i, "x", pick(nx), masked_rights(), "", "");
    }
    for (uint64_t p = 0; ns > 0 && p < np; p++)
        edge("admin_of", "p", p, "i", s0 + pick(ns), chance(shape.masked) ? masked_rights() : "",
             "", "");
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
            if (shape.reach == 0 && chance(shape.shared))
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
    /* identities in roles: one hub now and then, a few ordinary roles near each other (not the
     * giant structure's: it reaches the rest through its own grants) */
    for (uint64_t i = 0; i < ni - ni * shape.scc / 100; i++) {
        uint64_t home = pick(nr);
        if (shape.reach == 0 && chance(shape.hubshare))
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
    /* roles grant rights on resources; hubs grant few and narrow (dense: the hubs' grants are
     * dense_edges'; their other roles grant as ordinary ones do) */
    for (uint64_t i = shape.reach ? N_GRANT_HUB + n_team : 0; i < nr; i++) {
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
        edge("triggers", "x", pick(nx), "w", pick(nw), "",
             chance_permille(10 * shape.gated) ? "approve" : "", "");
    for (uint64_t i = 0; i < nw; i++)
        edge("runs_as", "w", i, "i", pick(ni / 20 + 1), chance(50) ? "read|write" : "", "", "");
    /* collateral: identities and workflows depend on resources (never traversed) */
    for (uint64_t i = 0; i < 5 * np * 2; i++) {
        int from_wf = chance(50);
        edge("depends_on", from_wf ? "w" : "i", from_wf ? pick(nw) : pick(ni), "x", pick(nx),
             "", "", "");
    }
    if (shape.reach > 0)
        dense_edges();
}

/* A knob=value argument; nonzero when it names no knob. */
static int knob(const char *arg)
{
    static const struct {
        const char *name;
        unsigned *v;
        unsigned max;
    } k[] = { { "reach", &shape.reach, 50 }, { "hubshare", &shape.hubshare, 100 },
              { "scc", &shape.scc, 100 }, { "shared", &shape.shared, 100 },
              { "masked", &shape.masked, 100 }, { "gated", &shape.gated, 100 } };
    const char *eq = strchr(arg, '=');
    for (size_t i = 0; eq != NULL && i < sizeof k / sizeof k[0]; i++)
        if (strlen(k[i].name) == (size_t)(eq - arg) && strncmp(arg, k[i].name, eq - arg) == 0) {
            char *end;
            unsigned long v = strtoul(eq + 1, &end, 10);
            if (*end != '\0' || end == eq + 1 || v > k[i].max)
                return 1;
            *k[i].v = (unsigned)v;
            return 0;
        }
    return 1;
}

/* The presets: dense reaches ~8% per partner through shared hubs; cyclic adds a giant masked,
 * gated can_assume structure. Knobs given after the shape override them. */
static int preset(const char *name)
{
    if (strcmp(name, "sparse") == 0)
        return 0;
    shape.reach = 8;
    shape.hubshare = 1;
    shape.shared = 30;
    shape.masked = 60;
    shape.gated = 10;
    if (strcmp(name, "dense") == 0) {
        shape.name = "dense";
        return 0;
    }
    if (strcmp(name, "cyclic") == 0) {
        shape.name = "cyclic";
        shape.reach = 4;
        shape.scc = 10;
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    char path[4096], tag[256];
    int custom = 0;
    if (argc < 4) {
        fprintf(stderr,
                "usage: gen S SEED DIR [sparse|dense|cyclic] [knob=value...]\n"
                "  writes DIR/estate-TAG-nodes.csv and -edges.csv; TAG is S for the plain sparse\n"
                "  shape, SHAPE-S otherwise (custom-S when knobs are given)\n"
                "  knobs (percent): reach (0-50; 0: the sparse shape), hubshare, scc, shared,\n"
                "  masked, gated\n");
        return 2;
    }
    double s = atof(argv[1]);
    rng = strtoull(argv[2], NULL, 10) * 0x2545F4914F6CDD1Dull + 1;
    if (s <= 0) {
        fprintf(stderr, "gen: S must be positive\n");
        return 2;
    }
    for (int i = 4; i < argc; i++) {
        if (i == 4 && strchr(argv[i], '=') == NULL) {
            if (preset(argv[i]) != 0) {
                fprintf(stderr, "gen: unknown shape '%s'\n", argv[i]);
                return 2;
            }
            continue;
        }
        if (knob(argv[i]) != 0) {
            fprintf(stderr, "gen: bad knob '%s'\n", argv[i]);
            return 2;
        }
        custom = 1;
    }
    np = (uint64_t)(N_PARTNER * s);
    ni = (uint64_t)(N_IDENTITY * s);
    nc = (uint64_t)(N_CREDENTIAL * s);
    nr = (uint64_t)(N_ROLE * s) > N_HUB ? (uint64_t)(N_ROLE * s) : N_HUB + 1;
    nx = (uint64_t)(N_RESOURCE * s);
    nw = (uint64_t)(N_WORKFLOW * s);
    n_team = (uint64_t)(2 * s) > 20 ? (uint64_t)(2 * s) : 20;
    if (np < 2 || ni < 1 || nc < 1 || nx < 1 || nw < 1
        || (shape.reach > 0 && nr <= N_GRANT_HUB + n_team)) {
        fprintf(stderr, "gen: S is too small\n");
        return 2;
    }
    if (custom)
        snprintf(tag, sizeof tag, "custom-%s", argv[1]);
    else if (strcmp(shape.name, "sparse") == 0)
        snprintf(tag, sizeof tag, "%s", argv[1]);
    else
        snprintf(tag, sizeof tag, "%s-%s", shape.name, argv[1]);
    snprintf(path, sizeof path, "%s/estate-%s-nodes.csv", argv[3], tag);
    if ((nf = fopen(path, "w")) == NULL) {
        perror(path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/estate-%s-edges.csv", argv[3], tag);
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
