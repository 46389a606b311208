#!/usr/bin/env python3
# Independent estate generator for authpath speed/memory tests: hub roles, shared credentials,
# subcontractor chains, a giant SCC, masks, gates, escalation, liveness and hostile ids.
"""Usage: gen_indep.py S SEED OUTDIR [scc] -> OUTDIR/indep[-scc]-S-nodes.csv, ...-edges.csv

scc: the same generator with a denser reach into a larger strongly connected component (more
front identities enter it, it assumes more hubs, uniform hub popularity, longer subcontractor
chains, more credential holders and triggers): the twenty-fourth session's second independent
estate, on which findings took twice its budget (bench/RESULTS.md)."""
import csv, json, os, random, sys  # noqa: E401 (standard library only)

# Knobs. Counts marked /S are per unit of scale; the rest are fixed or probabilities.
K = dict(
    partners=100, pcreds=200, screds=50, idents=2000, roles=700, res=6450, wfs=500,  # /S
    hubs=300,            # hub roles (fixed count; each grants hub_grant*S bulk resources)
    hub_grant=100,       # /S resources per hub
    hub_skew=1.6,        # popularity skew of hubs (1 = uniform)
    front=0.12, ring=0.07, svc=0.10,   # identity shares: credential targets, SCC rings, run_as
    app=0.25,            # share of resources granted by regular roles (trigger sources)
    cred_holders=(2, 3), # partners sharing one credential
    hub_front=0.9,       # mean hubs can_assume'd per front identity
    hub_inner=0.6,       # mean hubs per inner identity
    svc_hubs=40,         # hubs can_assume'd by run_as identities, in all (fixed: the hub
                         # share reached through escalation stays the same at every S)
    p_inner=0.25,        # front/inner identity can_assume an inner identity (forward only)
    p_scc=0.02,          # front identity can_assume a ring identity (enters the giant SCC)
    scc_hubs=2,          # hubs the SCC can assume
    p_ring_role=0.03,    # ring identity is also a member of a regular role
    role_access=15,      # app resources per regular role
    p_role_wf=0.05,      # regular role can execute a workflow
    p_trigger=0.15,      # workflow triggered by app resources
    p_sub=0.35,          # share of partners placed in subcontractor chains
    p_padmin=0.3,        # partner admin_of a front identity or regular role
    depends=3,           # depends_on edges per workflow (half as many per inner identity)
    hostile=0.001,       # share of node ids/names made hostile
)
PRESETS = dict(scc=dict(hub_skew=1.0, p_scc=0.06, hub_grant=150, p_sub=0.6, scc_hubs=6,
                       p_trigger=0.3, hub_front=1.4, cred_holders=(2, 5)))
NCOLS = ("id,kind,name,type,domain,tier,state,sensitivity,environment,owner,technical_owner,"
         "sponsor,purpose,approved_by,valid_from,expires,contract_ends,last_used,last_reviewed,"
         "logged,static,multi_tenant,jurisdiction,scope").split(",")
ECOLS = ("id,from,to,kind,rights,requires,escalates,state,valid_from,expires,temporary,"
         "approved_by,last_used,purpose").split(",")
NI = {c: i for i, c in enumerate(NCOLS)}
NODE_LIFE = [(0.005, "state", "revoked"), (0.012, "state", "suspended"),
             (0.017, "state", "requested"), (0.03, "state", "under_review"),
             (0.06, "expires", (2025, 2026)), (0.07, "valid_from", (2026, 2027))]
EDGE_LIFE = [(0.01, 7, "revoked"), (0.015, 7, "suspended"), (0.04, 9, (2025, 2026)),
             (0.05, 8, (2026, 2027)), (0.08, 9, (2026, 2028)), (0.12, 8, (2023, 2025))]
SENS = ["public"] * 15 + ["internal"] * 40 + ["confidential"] * 25 + ["restricted"] * 12 \
    + ["critical"] * 8
PREFIX = dict(partner="p", credential="c", identity="i", role="g", resource="r", workflow="w")


def date(rng, y0, y1):
    return "%04d-%02d-%02d" % (rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))


class Gen:
    def __init__(self, s, seed):
        self.rng = rng = random.Random(seed)
        n = {k: K[k] * s for k in ("partners", "idents", "res", "wfs")}
        self.n = dict(partner=n["partners"], credential=(K["pcreds"] + K["screds"]) * s,
                      identity=n["idents"], role=max(K["roles"] * s, K["hubs"] * 2),
                      resource=n["res"], workflow=n["wfs"])
        self.npc = K["pcreds"] * s                      # partner credentials [0, npc)
        ni = n["idents"]
        self.nfront = self.ring0 = int(ni * K["front"])  # identities: front, ring, svc, inner
        self.svc0 = self.ring0 + int(ni * K["ring"])
        self.inner0 = self.svc0 + int(ni * K["svc"])
        self.hubs = K["hubs"]                           # roles [0, hubs) are hubs
        self.napp = int(n["res"] * K["app"])            # resources [0, napp) are app
        self.grant = min(K["hub_grant"] * s, self.n["resource"] - self.napp)
        self.host = {}
        for kind in sorted(self.n):
            cnt = self.n[kind]
            k = int(cnt * K["hostile"] + rng.random())
            for j in sorted(rng.sample(range(cnt), min(k, cnt))):
                self.host[(kind, j)] = self.hostile(PREFIX[kind] + str(j), len(self.host))
        self.nedges = 0

    @staticmethod
    def hostile(base, v):
        forms = [base + ',with "quotes", and, commas', base + "\nsecond line\nthird",
                 base + "-é-中文-🔥-naïve", "=" + base + "+SUM(A1:A9)", "-" + base + " --flag",
                 base + "-" + "x" * (2000 - len(base) - 1), '"' + base + '"\n, =1 é 🚀']
        return forms[v % len(forms)]

    def id(self, kind, j):
        h = self.host.get((kind, j))
        return h if h is not None else PREFIX[kind] + str(j)

    # ---- nodes ---------------------------------------------------------------------------
    def node_life(self, row):
        r = self.rng.random()
        for p, col, val in NODE_LIFE:
            if r < p:
                row[NI[col]] = val if isinstance(val, str) else date(self.rng, *val)
                return

    def nodes(self, w):
        rng = self.rng
        w.writerow(NCOLS)
        for kind in ("partner", "credential", "identity", "role", "resource", "workflow"):
            for j in range(self.n[kind]):
                row = [self.id(kind, j), kind] + [""] * (len(NCOLS) - 2)
                if (kind, j) in self.host:
                    row[2] = row[0][::-1] + " ☃, \"n\""
                if kind == "partner":
                    row[2] = row[2] or "Partner %d" % j
                    row[NI["tier"]] = rng.choice(("read_only", "standard", "privileged"))
                    row[NI["contract_ends"]] = date(rng, 2025, 2028)
                    row[NI["state"]] = "suspended" if rng.random() < 0.02 else ""
                    if rng.random() < 0.08:
                        row[NI["scope"]] = json.dumps({"max_sensitivity": "confidential",
                                                       "rights": ["read", "write"]})
                elif kind == "credential":
                    row[NI["type"]] = rng.choice(("api_key", "token", "client_secret", "ssh_key"))
                    row[NI["static"]] = "true" if rng.random() < 0.5 else "false"
                    if rng.random() < 0.3:
                        row[NI["expires"]] = date(rng, 2026, 2028)
                elif kind in ("resource", "workflow"):
                    row[NI["sensitivity"]] = rng.choice(SENS)
                    if rng.random() < 0.3:
                        row[NI["environment"]] = rng.choice(("prod", "staging", "dev"))
                    if rng.random() < 0.2:
                        row[NI["jurisdiction"]] = rng.choice(("eu", "us", "uk"))
                elif kind == "role" and j < self.hubs:
                    row[NI["type"]] = "hub"
                if kind != "partner" and not (kind == "identity" and self.ring0 <= j < self.svc0):
                    self.node_life(row)       # partners are always live; SCC rings stay live
                w.writerow(row)

    # ---- edges ---------------------------------------------------------------------------
    def edge(self, w, fk, f, kind, tk, t, rights="", requires="", esc="", life=True):
        rng = self.rng
        row = ["", self.id(fk, f), self.id(tk, t), kind, rights, requires, esc] + [""] * 7
        r = rng.random() if life else 1.0
        for p, col, val in EDGE_LIFE if r < 0.12 else ():
            if r < p:
                row[col] = val if isinstance(val, str) else date(rng, *val)
                row[10] = "true" if 0.05 <= r < 0.08 else ""         # temporary grants
                break
        w.writerow(row)
        self.nedges += 1

    def hub(self):
        return int(self.hubs * self.rng.random() ** K["hub_skew"])

    def regular_role(self):
        return self.rng.randrange(self.hubs, self.n["role"])

    def access_rights(self):
        r = self.rng.random()
        return ("read" if r < 0.78 else "read|write" if r < 0.92 else "admin|read" if r < 0.96
                else "delete|write" if r < 0.99 else "")

    def identity_out(self, w, i, nhub, p_inner, roles=(1, 2, 2)):
        rng = self.rng
        for _ in range(int(nhub + rng.random())):
            r = rng.random()
            rights = "read" if r < 0.15 else "read|write" if r < 0.25 else ""
            req = "admin" if r > 0.96 else ""
            self.edge(w, "identity", i, "can_assume", "role", self.hub(), rights, req)
        for _ in range(rng.choice(roles)):
            self.edge(w, "identity", i, "member_of", "role", self.regular_role())
        ni = self.n["identity"]
        if rng.random() < p_inner and max(i, self.inner0) + 1 < ni:
            j = rng.randrange(max(i, self.inner0) + 1, ni)
            self.edge(w, "identity", i, "can_assume", "identity", j)

    def edges(self, w):
        rng, self.w = self.rng, w
        w.writerow(ECOLS)
        P, npc, nf = self.n["partner"], self.npc, self.nfront
        # partners hold shared credentials; credentials authenticate as front identities
        for c in range(npc):
            lo, hi = K["cred_holders"]
            for p in sorted(rng.sample(range(P), rng.randint(lo, hi))):
                self.edge(w, "partner", p, "holds", "credential", c)
            r = rng.random()
            self.edge(w, "credential", c, "authenticates_as", "identity", c * nf // npc,
                      "read|write|execute" if r < 0.1 else "")
            if r > 0.8:
                self.edge(w, "credential", c, "authenticates_as", "identity", rng.randrange(nf))
        # subcontractor chains (sub -> principal), up to 4 deep, a few loops via admin_of
        p = 0
        while p < P:
            if rng.random() < K["p_sub"] / 2.5:
                ln = min(rng.randint(2, 5), P - p)
                for k in range(ln - 1):
                    self.edge(w, "partner", p + k, "subcontractor_of", "partner", p + k + 1)
                if ln > 2 and rng.random() < 0.1:
                    self.edge(w, "partner", p + ln - 1, "admin_of", "partner", p)
                p += ln
            else:
                p += 1
        for p in range(P):
            if rng.random() < K["p_padmin"]:      # GDAP-style: a front identity or a role
                k = rng.random() < 0.5
                self.edge(w, "partner", p, "admin_of", "identity" if k else "role",
                          rng.randrange(nf) if k else self.regular_role())
            if rng.random() < 0.01:
                self.edge(w, "partner", p, "admin_of", "role", self.hub())
        # front identities
        for i in range(nf):
            self.identity_out(w, i, K["hub_front"], K["p_inner"])
            if rng.random() < K["p_scc"]:
                self.edge(w, "identity", i, "can_assume", "identity",
                          rng.randrange(self.ring0, self.svc0))
        self.rings()
        # run_as (service) identities and their credentials
        nsc = self.n["credential"] - npc
        for i in range(self.svc0, self.inner0):
            self.identity_out(w, i, 0, 0.0, (1,))
            if rng.random() < 0.1:
                self.edge(w, "identity", i, "admin_of", "role", self.regular_role())
            if rng.random() < 0.03:
                self.edge(w, "identity", i, "can_mint", "credential", rng.randrange(npc))
        for _ in range(K["svc_hubs"]):
            self.edge(w, "identity", rng.randrange(self.svc0, self.inner0), "can_assume",
                      "role", self.hub())
        for c in range(npc, npc + nsc):
            self.edge(w, "credential", c, "authenticates_as", "identity",
                      rng.randrange(self.svc0, self.inner0))
        # inner identities: forward-only can_assume keeps them acyclic
        for i in range(self.inner0, self.n["identity"]):
            self.identity_out(w, i, K["hub_inner"], K["p_inner"], (1, 2, 3))
            for _ in range(int(K["depends"] * rng.random() / 2 + 0.5)):
                self.edge(w, "identity", i, "depends_on", "resource",
                          rng.randrange(self.n["resource"]))
        # regular roles: app resources, some workflows
        for g in range(self.hubs, self.n["role"]):
            for _ in range(int(K["role_access"] * (0.5 + rng.random()))):
                self.edge(w, "role", g, "access", "resource", rng.randrange(self.napp),
                          self.access_rights())
            if rng.random() < K["p_role_wf"]:
                self.edge(w, "role", g, "access", "workflow", rng.randrange(self.n["workflow"]),
                          rng.choice(("execute", "read|execute", "approve")))
        # hubs: thousands of bulk resources each
        nbulk = self.n["resource"] - self.napp
        for h in range(self.hubs):
            for r in sorted(rng.sample(range(nbulk), self.grant)):
                self.edge(w, "role", h, "access", "resource", self.napp + r, self.access_rights())
        # workflows: gated triggers, escalating runs_as to privileged identities
        for wf in range(self.n["workflow"]):
            if rng.random() < K["p_trigger"]:
                for _ in range(rng.choice((1, 1, 2))):
                    r = rng.random()
                    req = "admin" if r < 0.1 else "write" if r < 0.3 else ""
                    self.edge(w, "resource", rng.randrange(self.napp), "triggers", "workflow",
                              wf, "", req)
            r = rng.random()
            self.edge(w, "workflow", wf, "runs_as", "identity",
                      rng.randrange(self.svc0, self.inner0),
                      "read|write" if r < 0.05 else "", "execute" if r > 0.9 else "",
                      "false" if r > 0.9 else "")
            if rng.random() < 0.1:
                self.edge(w, "workflow", wf, "holds", "credential", rng.randrange(npc, npc + nsc))
            for _ in range(K["depends"]):
                self.edge(w, "workflow", wf, "depends_on", "resource",
                          rng.randrange(self.n["resource"]))

    def rings(self):
        """Giant SCC: rings of ring identities (can_assume/admin_of), chained, back edges."""
        rng, w = self.rng, self.w
        a, b = self.ring0, self.svc0
        heads, i = [], a
        while i < b:
            ln = min(rng.randint(10, 20), b - i)
            members = list(range(i, i + ln))
            heads.append((members[0], members[-1]))
            for k, u in enumerate(members):
                v = members[(k + 1) % ln]
                r = rng.random()
                self.edge(w, "identity", u, "admin_of" if r < 0.2 else "can_assume",
                          "identity", v, "read|write|execute|admin" if r > 0.9 else "",
                          "admin" if 0.85 < r < 0.88 else "", life=False)
            g = self.regular_role()
            self.edge(w, "identity", members[0], "member_of", "role", g)
            self.edge(w, "role", g, "admin_of", "identity", members[ln // 2])
            for u in members:
                if rng.random() < K["p_ring_role"]:
                    self.edge(w, "identity", u, "member_of", "role", self.regular_role())
            i += ln
        for k in range(len(heads)):
            self.edge(w, "identity", heads[k][1], "admin_of" if k + 1 < len(heads)
                      else "can_assume", "identity", heads[(k + 1) % len(heads)][0], life=False)
        for _ in range((b - a) // 7):
            self.edge(w, "identity", rng.randrange(a, b), "can_assume", "identity",
                      rng.randrange(a, b))
        for _ in range(K["scc_hubs"]):
            self.edge(w, "identity", rng.randrange(a, b), "can_assume", "role", self.hub())


def main():
    if len(sys.argv) not in (4, 5) or (len(sys.argv) == 5 and sys.argv[4] not in PRESETS):
        sys.exit(__doc__)
    s, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    name = "indep" if len(sys.argv) == 4 else "indep-" + sys.argv[4]
    if len(sys.argv) == 5:
        K.update(PRESETS[sys.argv[4]])
    os.makedirs(out, exist_ok=True)
    g = Gen(s, seed)
    base = os.path.join(out, "%s-%s-" % (name, sys.argv[1]))
    with open(base + "nodes.csv", "w", newline="", encoding="utf-8") as f:
        g.nodes(csv.writer(f, lineterminator="\n"))
    with open(base + "edges.csv", "w", newline="", encoding="utf-8") as f:
        g.edges(csv.writer(f, lineterminator="\n"))
    print("%s S=%d seed=%d: nodes %d, edges %d, partners %d"
          % (name, s, seed, sum(g.n.values()), g.nedges, g.n["partner"]), file=sys.stderr)


if __name__ == "__main__":
    main()
