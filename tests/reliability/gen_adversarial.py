# tests/reliability/gen_adversarial.py: native CSV estates (nodes.csv, edges.csv, rights.csv)
# of shapes nobody designed for, written from docs/design.md's model alone, for adversarial.sh.
"""Usage: gen_adversarial.py SHAPE SCALE OUTDIR

SHAPE is one of: deep hub bipartite ring vocab names dates dups gates shared limits k8s
(cluster.yaml and partners.json, not CSV) history (N snapshots and their events), or one of the
refused ones (unknown-node, nul-byte); SCALE is a percentage of the full size (100 = the
size at which one command should take seconds, 1-5 for the test suite). The output is
deterministic: the same arguments write the same bytes."""

import csv
import os
import random
import re
import sys

NODE_COLS = ["id", "kind", "name", "type", "domain", "tier", "state", "sensitivity",
             "environment", "owner", "sponsor", "purpose", "valid_from", "expires",
             "contract_ends", "last_used", "last_reviewed", "logged", "static",
             "multi_tenant", "jurisdiction", "scope", "last_rotated"]
EDGE_COLS = ["id", "from", "to", "kind", "rights", "requires", "escalates", "state",
             "valid_from", "expires", "temporary", "approved_by", "last_used", "purpose"]
BUILTIN = ["read", "write", "delete", "admin", "execute", "approve", "mint", "delegate"]
SENS = ["public", "internal", "confidential", "restricted", "critical"]


class Estate:
    def __init__(self):
        self.nodes = []
        self.edges = []
        self.rights = []

    def node(self, id_, kind, **kw):
        row = {"id": id_, "kind": kind}
        row.update(kw)
        self.nodes.append(row)
        return id_

    def edge(self, frm, kind, to, **kw):
        row = {"from": frm, "to": to, "kind": kind}
        row.update(kw)
        self.edges.append(row)

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        # surrogateescape: names may carry bytes that are not UTF-8 (on purpose)
        def dump(name, cols, rows):
            with open(os.path.join(out, name), "w", newline="", encoding="utf-8",
                      errors="surrogateescape") as f:
                w = csv.DictWriter(f, fieldnames=cols, lineterminator="\r\n")
                w.writeheader()
                for r in rows:
                    w.writerow(r)
        dump("nodes.csv", NODE_COLS, self.nodes)
        dump("edges.csv", EDGE_COLS, self.edges)
        if self.rights:
            dump("rights.csv", ["right"], [{"right": r} for r in self.rights])


def scaled(full, scale, least=2):
    return max(least, full * scale // 100)


def deep(e, scale, rnd):
    """A subcontractor_of chain and a can_assume chain, each N deep, a credential at each
    level; the deepest identity reaches a critical resource."""
    n = scaled(400, scale, 5)
    e.node("crown", "resource", sensitivity="critical", environment="prod")
    e.node("crown-wf", "workflow", sensitivity="restricted")
    for i in range(n):
        e.node("p%d" % i, "partner", tier=["read_only", "standard", "privileged"][i % 3],
               contract_ends="2027-01-01", domain="p%d" % i)
        e.node("c%d" % i, "credential", static="true", expires="2030-01-01", domain="p%d" % i)
        e.node("i%d" % i, "identity", logged="true" if i % 2 else "false")
        e.edge("p%d" % i, "holds", "c%d" % i)
        e.edge("c%d" % i, "authenticates_as", "i%d" % i)
        if i:
            e.edge("p%d" % i, "subcontractor_of", "p%d" % (i - 1))
            e.edge("i%d" % (i - 1), "can_assume", "i%d" % i)
    e.edge("i%d" % (n - 1), "access", "crown", rights="read|write")
    e.edge("crown", "triggers", "crown-wf")
    e.edge("crown-wf", "runs_as", "i0")       # back to the top: a cycle through escalation
    e.edge("p0", "subcontractor_of", "p%d" % (n - 1))   # and a delegation loop N long


def hub(e, scale, rnd):
    """One identity with N out-edges that every partner reaches."""
    n = scaled(50000, scale, 20)
    parts = scaled(40, scale, 3)
    e.node("hub", "identity", logged="false")
    for j in range(n):
        kind = "workflow" if j % 10 == 0 else "resource"
        e.node("r%d" % j, kind, sensitivity=SENS[j % 5],
               environment=["prod", "staging", ""][j % 3])
        e.edge("hub", "access", "r%d" % j,
               rights="" if j % 7 == 0 else "|".join(rnd.sample(BUILTIN, 1 + j % 4)))
    for p in range(parts):
        e.node("partner%d" % p, "partner", tier="read_only",
               scope='{"resources": ["r1*"], "max_sensitivity": "internal", '
                     '"rights": ["read"]}')
        e.node("key%d" % p, "credential", static="true")
        e.edge("partner%d" % p, "holds", "key%d" % p)
        e.edge("key%d" % p, "authenticates_as", "hub")


def bipartite(e, scale, rnd):
    """N partners x N shared credentials, every partner holding every credential."""
    n = scaled(300, scale, 3)
    for p in range(n):
        e.node("bp%d" % p, "partner", contract_ends="2026-06-01")
    for c in range(n):
        e.node("bc%d" % c, "credential", multi_tenant="true", static="true")
        e.node("bi%d" % c, "identity")
        e.node("br%d" % c, "resource", sensitivity=SENS[c % 5])
        e.edge("bc%d" % c, "authenticates_as", "bi%d" % c)
        e.edge("bi%d" % c, "access", "br%d" % c, rights="read|write" if c % 2 else "")
    for p in range(n):
        for c in range(n):
            e.edge("bp%d" % p, "holds", "bc%d" % c)


def ring(e, scale, rnd):
    """A ring of N identities over can_assume, with chords gated by `requires` and masked
    rights, an escalating runs_as back into the ring and partners entering at a few places."""
    n = scaled(5000, scale, 12)
    rights = BUILTIN
    for i in range(n):
        e.node("ri%d" % i, "identity")
    for i in range(n):
        # the ring passes a mask that changes around it, so rights thin out as they go
        e.edge("ri%d" % i, "can_assume", "ri%d" % ((i + 1) % n),
               rights="all" if i % 50 else "|".join(rnd.sample(rights, 3)))
        if i % 3 == 0:
            e.edge("ri%d" % i, "can_assume", "ri%d" % rnd.randrange(n),
                   rights="|".join(rnd.sample(rights, 2)),
                   requires="|".join(rnd.sample(rights, 1)))
        if i % 97 == 0:
            e.node("rr%d" % i, "resource", sensitivity=SENS[i % 5])
            e.node("rw%d" % i, "workflow", sensitivity="critical")
            e.edge("ri%d" % i, "access", "rr%d" % i, rights="|".join(rnd.sample(rights, 2)))
            e.edge("rr%d" % i, "triggers", "rw%d" % i)
            e.edge("rw%d" % i, "runs_as", "ri%d" % rnd.randrange(n), rights="read|mint")
    for p in range(scaled(20, scale, 3)):
        e.node("rp%d" % p, "partner")
        e.node("rk%d" % p, "credential")
        e.edge("rp%d" % p, "holds", "rk%d" % p)
        e.edge("rk%d" % p, "authenticates_as", "ri%d" % (p * 257 % n),
               rights="|".join(rnd.sample(rights, 4)))


def vocab(e, scale, rnd):
    """All 64 rights (8 built-in, 56 declared), edges with random subsets of them, `none`,
    `all`, and access edges declaring none."""
    custom = ["x%02d" % i for i in range(56)]
    custom[0] = "a:b.c-d_e"
    custom[1] = "R" * 60
    e.rights = custom
    every = BUILTIN + custom
    n = scaled(2000, scale, 20)
    for p in range(scaled(30, scale, 3)):
        e.node("vp%d" % p, "partner", scope='{"rights": ["x05", "read", "nosuch"]}')
        e.node("vk%d" % p, "credential")
        e.edge("vp%d" % p, "holds", "vk%d" % p, rights="|".join(rnd.sample(every, 40)))
        e.edge("vk%d" % p, "authenticates_as", "vi%d" % rnd.randrange(n))
    for i in range(n):
        e.node("vi%d" % i, "identity")
        e.node("vr%d" % i, "resource" if i % 4 else "workflow", sensitivity=SENS[i % 5])
    for i in range(n):
        for _ in range(3):
            j = rnd.randrange(n)
            pick = rnd.random()
            if pick < 0.1:
                rs, rq = "none", ""
            elif pick < 0.2:
                rs, rq = "all", "all"
            else:
                rs = "|".join(rnd.sample(every, rnd.randrange(1, 64)))
                rq = "|".join(rnd.sample(every, rnd.randrange(0, 3)))
            e.edge("vi%d" % i, "can_assume", "vi%d" % j, rights=rs, requires=rq,
                   escalates="true" if rnd.random() < 0.05 else "")
        e.edge("vi%d" % i, "access", "vr%d" % i,
               rights="" if i % 3 == 0 else "|".join(rnd.sample(every, 5)))
        if i % 4 == 0:
            e.edge("vr%d" % i, "runs_as", "vi%d" % rnd.randrange(n),
                   rights="|".join(rnd.sample(every, 3)))


HOSTILE = [
    'quo"te', "com,ma", "new\nline", "cr\rret", "tab\there", "\x1b[31mred\x1b[0m",
    "bell\x07", "\u202eevil\u202c", "rtl\u200fmark", "\u2400nul-picture", "esc\\u0000aped",
    "max\U0010FFFFcp", "repl\ufffdchar", "=cmd|' /C calc'!A0", "+1", "-2", "@sum", "<script>x</script>",
    "a&b;c", "]]>", "--", "'single'", "back\\slash", "{\"json\":1}", "%s%n", "\x7fdel",
    "\u0085nel", "\u2028ls", "emoji\U0001F600", "\ufeffbom", " lead", "trail ", "",
    "node [shape=box]", "a -> b", "\"\"", "C1\u009bctl", "zero\u200bwidth",
]


def names(e, scale, rnd):
    """Ids, names, types and purposes holding quotes, commas, newlines, tabs, escapes, bidi
    controls, invalid UTF-8, formula prefixes, DOT and HTML syntax, and 10 KB ids."""
    big = "L" * 10240
    tags = [h for h in HOSTILE if h]
    prev_ident = None
    for k, h in enumerate(tags):
        pid = "P" + h
        cid = "C" + h + ("," * (k % 3))
        iid = "I" + h
        rid = "R" + h
        e.node(pid, "partner", name=h, domain=h, owner=h, sponsor=h, purpose=h,
               scope='{"resources": ["R*"]}')
        e.node(cid, "credential", name=h, type=h, domain=h, static="true")
        e.node(iid, "identity", name=h, environment=h, logged="false")
        e.node(rid, "resource", name=h, sensitivity=SENS[k % 5], jurisdiction=h,
               environment="prod" if k % 2 else "staging")
        e.edge(pid, "holds", cid, purpose=h, approved_by=h)
        e.edge(cid, "authenticates_as", iid, id="E" + h)
        e.edge(iid, "access", rid, rights="read|write" if k % 2 else "")
        if prev_ident is not None:
            e.edge(prev_ident, "can_assume", iid)
            e.edge(pid, "subcontractor_of", "P" + tags[k - 1])
        prev_ident = iid
    # 10 KB ids, one of each kind, chained
    e.node(big + "p", "partner", name=big)
    e.node(big + "c", "credential", type=big)
    e.node(big + "i", "identity", purpose=big)
    e.node(big + "r", "resource", sensitivity="critical", name=big)
    e.node(big + "w", "workflow", sensitivity="critical")
    e.edge(big + "p", "holds", big + "c", id="X" * 10240)
    e.edge(big + "c", "authenticates_as", big + "i")
    e.edge(big + "i", "access", big + "r", rights="read|write")
    e.edge(big + "r", "triggers", big + "w")
    e.edge(big + "w", "runs_as", "I" + tags[0])
    e.edge("I" + tags[-1], "can_assume", big + "i")
    # repeat the mix scale times over so that lists are long enough to be cut
    for r in range(scaled(200, scale, 1)):
        h = tags[r % len(tags)]
        e.node("n%d%s" % (r, h), "resource", name=h)
        e.edge("I" + h, "access", "n%d%s" % (r, h), rights="read")


DATES = ["0000-01-01", "0000-01-01T00:00:00+23:59", "9999-12-31", "9999-12-31T23:59:60-23:59",
         "1970-01-01", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29",
         "2026-01-01", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59.999999999Z",
         "2026-01-01T00:00:01+00:01", "2038-01-19T03:14:08Z", "2106-02-07T06:28:16Z",
         "2262-04-11T23:47:16Z"]


WINDOWS = [("0000-01-01", "9999-12-31T23:59:60-23:59"), ("1969-12-31T23:59:59Z", "1970-01-01"),
           ("2025-12-31T23:59:59.999999999Z", "2026-01-01T00:00:01Z"),
           ("2026-01-01", "2026-01-01T00:00:01Z"), ("9999-12-31", "9999-12-31T23:59:60-23:59"),
           ("0000-01-01", "0000-01-01T00:00:00-23:59")]


def dates(e, scale, rnd):
    """Dates at the ends of the accepted range on every date field of nodes and edges;
    expired, future-valid and window edges around the fixed clock 2026-01-01."""
    n = scaled(60, scale, 3)
    for p in range(n):
        d = DATES[p % len(DATES)]
        d2 = DATES[(p * 7 + 3) % len(DATES)]
        e.node("dp%d" % p, "partner", contract_ends=d, last_reviewed=d2, last_used=d,
               scope='{"from": "%s", "until": "%s"}' % WINDOWS[p % len(WINDOWS)])
        e.node("dk%d" % p, "credential", valid_from=d2 if p % 2 else "", expires=d,
               last_used=d2, static="true")
        e.node("di%d" % p, "identity", last_reviewed=d, valid_from=d if p % 3 == 0 else "")
        e.node("dr%d" % p, "resource", sensitivity="critical", last_reviewed=d2)
        e.node("dw%d" % p, "workflow", sensitivity="restricted", expires=d2)
        e.edge("dp%d" % p, "holds", "dk%d" % p, expires=d2, temporary="true")
        e.edge("dk%d" % p, "authenticates_as", "di%d" % p, valid_from=d, expires=d2)
        e.edge("di%d" % p, "access", "dr%d" % p, rights="read|write", last_used=d)
        e.edge("dr%d" % p, "triggers", "dw%d" % p, valid_from=d2)
        e.edge("dw%d" % p, "runs_as", "di%d" % ((p + 1) % n), expires=d)
        e.edge("di%d" % p, "can_assume", "di%d" % ((p + 1) % n), valid_from="0000-01-01",
               expires="9999-12-31T23:59:60-23:59")
        e.edge("dp%d" % p, "subcontractor_of", "dp%d" % ((p + 1) % n), expires=d)
    # every partner also holds a credential that is always live
    e.node("forever", "credential", valid_from="0000-01-01", expires="9999-12-31")
    e.edge("dp0", "holds", "forever", valid_from="0000-01-01T00:00:00+23:59")
    e.edge("forever", "authenticates_as", "di0")


def dups(e, scale, rnd):
    """Repeated edges (with and without ids, differing in rights and lifecycle), self-loops
    of every kind, and a node that both escalates into itself and depends on itself."""
    n = scaled(300, scale, 4)
    kinds = ["holds", "authenticates_as", "member_of", "can_assume", "subcontractor_of",
             "admin_of", "can_mint", "access", "triggers", "runs_as", "depends_on"]
    for i in range(n):
        e.node("up%d" % i, "partner")
        e.node("uk%d" % i, "credential")
        e.node("ui%d" % i, "identity")
        e.node("ur%d" % i, "resource", sensitivity=SENS[i % 5])
        e.node("uw%d" % i, "workflow", sensitivity=SENS[(i + 2) % 5])
    for i in range(n):
        for rep in range(1 + i % 4):
            e.edge("up%d" % i, "holds", "uk%d" % i, rights="|".join(BUILTIN[rep:rep + 2]),
                   expires="2025-01-01" if rep == 1 else "")
        e.edge("uk%d" % i, "authenticates_as", "ui%d" % i)
        e.edge("uk%d" % i, "authenticates_as", "ui%d" % i, id="dup-%d" % i)
        e.edge("ui%d" % i, "access", "ur%d" % i, rights="read")
        e.edge("ui%d" % i, "access", "ur%d" % i, rights="write", requires="write")
        e.edge("ur%d" % i, "triggers", "uw%d" % i)
        e.edge("uw%d" % i, "runs_as", "ui%d" % ((i * 7 + 1) % n))
        for k in kinds:
            node = {"holds": "uk", "authenticates_as": "ui", "member_of": "ui",
                    "can_assume": "ui", "subcontractor_of": "up", "admin_of": "up",
                    "can_mint": "ui", "access": "ur", "triggers": "ur", "runs_as": "uw",
                    "depends_on": "uw"}[k] + str(i)
            e.edge(node, k, node, escalates="true" if k == "can_mint" else "")
        e.edge("up%d" % i, "subcontractor_of", "up%d" % ((i + 1) % n))
        e.edge("up%d" % i, "admin_of", "ui%d" % ((i + 3) % n), rights="admin",
               state="suspended" if i % 2 else "")
        e.edge("uw%d" % i, "depends_on", "uk%d" % ((i + 1) % n))


def gates(e, scale, rnd):
    """Every edge gated: subcontractor loops 4 partners deep (each loop entered from the next
    one's head), layers of identities whose can_assume edges each require a right that another
    chain may bring, masked rights, triggers and escalating runs_as back to the first layer."""
    groups = scaled(50, scale, 2)
    width = scaled(500, scale, 6)
    layers = 20 if scale >= 20 else 6
    def some(k):
        return "|".join(rnd.sample(BUILTIN, k))
    for li in range(layers):
        for w in range(width):
            e.node("g%d.%d" % (li, w), "identity", logged="true" if w % 3 else "false")
    for w in range(width):
        e.node("gr%d" % w, "resource", sensitivity=SENS[w % 5], environment="prod")
        if w % 5 == 0:
            e.node("gw%d" % w, "workflow", sensitivity="critical")
    for li in range(layers - 1):
        for w in range(width):
            for _ in range(3):
                e.edge("g%d.%d" % (li, w), "can_assume", "g%d.%d" % (li + 1, rnd.randrange(width)),
                       rights=some(rnd.randrange(2, 6)), requires=some(rnd.randrange(1, 3)))
    last = layers - 1
    for w in range(width):
        e.edge("g%d.%d" % (last, w), "access", "gr%d" % w, rights=some(3), requires=some(1))
        if w % 5 == 0:
            e.edge("gr%d" % w, "triggers", "gw%d" % w, requires="write|approve")
            e.edge("gw%d" % w, "runs_as", "g0.%d" % rnd.randrange(width), rights=some(2),
                   requires="execute")
    for g in range(groups):
        for k in range(4):
            p = "gp%d.%d" % (g, k)
            e.node(p, "partner", tier=["read_only", "standard", "privileged"][k % 3],
                   contract_ends="2026-06-01" if k == 3 else "2028-01-01",
                   scope='{"resources": ["gr1*"], "rights": ["read"]}' if k == 0 else "")
            e.node("gk%d.%d" % (g, k), "credential", static="true", expires="2027-01-01")
            e.edge(p, "holds", "gk%d.%d" % (g, k), rights=some(5), requires=some(1))
            e.edge("gk%d.%d" % (g, k), "authenticates_as",
                   "g0.%d" % rnd.randrange(width), rights=some(4), requires=some(2))
            e.edge(p, "subcontractor_of", "gp%d.%d" % (g, (k + 1) % 4),
                   rights=some(6), requires=some(1))
        e.edge("gp%d.0" % g, "subcontractor_of", "gp%d.0" % ((g + 1) % groups),
               rights=some(4), requires=some(2))


def shared(e, scale, rnd):
    """One partner holding N credentials, each shared with one or two of a pool of other
    partners; the credentials authenticate as a pool of identities reaching a pool of
    resources."""
    n = scaled(50000, scale, 30)
    pool = scaled(400, scale, 3)
    ids = scaled(2000, scale, 5)
    e.node("mega", "partner", tier="standard", contract_ends="2026-06-01",
           scope='{"max_sensitivity": "internal"}')
    for p in range(pool):
        e.node("sp%d" % p, "partner", tier=["read_only", "standard"][p % 2])
    for i in range(ids):
        e.node("si%d" % i, "identity", logged="true" if i % 2 else "false")
        e.node("sr%d" % i, "resource" if i % 10 else "workflow", sensitivity=SENS[i % 5])
        e.edge("si%d" % i, "access", "sr%d" % i, rights="" if i % 4 == 0 else "read|write")
    for c in range(n):
        e.node("sk%d" % c, "credential", static="true" if c % 2 else "false",
               multi_tenant="true" if c % 7 == 0 else "",
               expires="" if c % 3 else "2027-01-01", owner="team%d" % (c % 50))
        e.edge("mega", "holds", "sk%d" % c)
        for j in range(1 + c % 2):
            e.edge("sp%d" % ((c * 7 + j * 13) % pool), "holds", "sk%d" % c)
        e.edge("sk%d" % c, "authenticates_as", "si%d" % (c % ids))


# ids made only of separators and syntax; "*" and "?" are globs in scopes, "->" and "[...]"
# are what-if's grant syntax, "|" and "#" what an edge without an id is named with
SEPARATORS = ["|", "||", ",", ",,", "->", " -> ", " -access[read]-> ", "#2", "|holds|", ".",
              "/", "\\", ":", ";", "*", "?", "[", "]", "{}", "%", "--", "-", "=", "+", "@",
              "'", '"', "<>", "&", "~", "!", "$", "^", "(", ")", "`", "_", "#"]


def limits(e, scale, rnd):
    """Names at the limits: 64 KiB names and ids, ids that are all separators (the partner
    most reached is one of them), the same display name on many ids, ids that differ only in
    case, in Unicode normalisation or a trailing space."""
    big = 65536
    n = scaled(300, scale, 10)
    # the separator partners share one chain; "|" holds the most
    prev = None
    for k, sep in enumerate(SEPARATORS):
        e.node(sep, "partner", name="Contoso", domain=sep, purpose=sep * 100,
               scope='{"resources": ["%s*"]}' % ("*" if sep in ('"', "\\") else sep))
        e.node("k" + sep, "credential", name="Contoso", type=sep)
        e.node("i" + sep, "identity", name="Contoso")
        e.edge(sep, "holds", "k" + sep, purpose=sep)
        e.edge("k" + sep, "authenticates_as", "i" + sep)
        if prev is not None:
            e.edge("i" + prev, "can_assume", "i" + sep)
            e.edge(sep, "subcontractor_of", prev)
        prev = sep
    e.edge("i" + prev, "can_assume", "i|")     # back to the first: a loop of separators
    # the same display name and near-identical ids
    twins = ["acme", "ACME", "Acme", "acme ", " acme", "caf\u00e9", "cafe\u0301", "acme\u200b"]
    for k, t in enumerate(twins):
        e.node(t, "partner", name="Acme Ltd", tier=["read_only", "privileged"][k % 2])
        e.node("key:" + t, "credential", name="Acme Ltd")
        e.edge(t, "holds", "key:" + t)
        e.edge("key:" + t, "authenticates_as", "i" + SEPARATORS[k % len(SEPARATORS)])
    # 64 KiB names, types, purposes and ids
    for r in range(n):
        sep = SEPARATORS[r % len(SEPARATORS)]
        rid = "res%d%s" % (r, sep)
        fill = (sep * (big // len(sep) + 1))[:big] if r % 2 else chr(0x4e00 + r) * (big // 3)
        e.node(rid, "resource" if r % 5 else "workflow", name=fill, type=fill[:1000],
               sensitivity=SENS[r % 5], purpose="Contoso")
        e.edge("i" + sep, "access", rid, rights="read|write" if r % 3 else "", purpose=fill)
    huge = "H" * big
    e.node(huge + "p", "partner", name=huge)
    e.node(huge + "k", "credential", name=huge)
    e.node(huge + "r", "resource", sensitivity="critical", name=huge)
    e.edge(huge + "p", "holds", huge + "k", id="E" * big)
    e.edge(huge + "k", "authenticates_as", "i|")
    e.edge("i|", "access", huge + "r", rights="read", id="F" * big)
    e.edge("|", "admin_of", huge + "r", rights="admin")


K8S_NAMESPACED = ("Pod", "ServiceAccount", "Role", "RoleBinding", "Secret")


def k8s(e, scale, rnd, out=None):
    """KubeHound's attack manifests (tests/data/real/kubehound/attacks) as N clusters' worth
    of namespaces through the Kubernetes reader: every name suffixed, each copy in its own
    namespace, users mapped to partners (a partner per ten copies), groups left identities."""
    n = scaled(400, scale, 2)
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, "..", "data", "real", "kubehound", "attacks")
    docs = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            docs += [d for d in f.read().split("\n---") if "kind:" in d]
    name_re = re.compile(r"^(\s*(?:- )?name: )(\S+)$", re.M)
    with open(os.path.join(out, "cluster.yaml"), "w", encoding="utf-8") as f:
        for j in range(n):
            ns = "ns-%d" % j
            for d in docs:
                d = name_re.sub(lambda m: "%s%s-%d" % (m.group(1), m.group(2), j), d)
                d = d.replace("namespace: default", "namespace: " + ns)
                kind = re.search(r"^kind: (\S+)", d, re.M).group(1)
                if kind in K8S_NAMESPACED and not re.search(r"^  namespace:", d, re.M):
                    d = d.replace("\nmetadata:\n", "\nmetadata:\n  namespace: %s\n" % ns, 1)
                f.write("---\n" + d.strip("\n").lstrip("-").strip("\n") + "\n")
    with open(os.path.join(out, "partners.json"), "w", encoding="utf-8") as f:
        f.write("{" + ", ".join('"user-*-%d": "tenant%d"' % (j, j // 10) for j in range(n))
                + "}\n")


def history_variant(e, k, rnd):
    """Snapshot k of the history shape's estate: the same partners, identities and resources,
    a twentieth of the edges gone or with other rights in each, a credential of its own."""
    parts, ids, res = 10, 50, 100
    for p in range(parts):
        e.node("hp%d" % p, "partner", tier=["read_only", "standard", "privileged"][p % 3],
               contract_ends="2026-%02d-01" % (1 + (p + k) % 12), last_reviewed="2025-06-01",
               scope='{"resources": ["hr1*"], "rights": ["read"]}')
        e.node("hk%d" % p, "credential", static="true",
               expires="2026-%02d-15" % (1 + (p * 3 + k) % 12), last_rotated="2025-01-01")
        e.edge("hp%d" % p, "holds", "hk%d" % p)
        e.edge("hk%d" % p, "authenticates_as", "hi%d" % (p * 5))
    e.node("hk-only-%d" % k, "credential")
    e.edge("hp%d" % (k % parts), "holds", "hk-only-%d" % k)
    e.edge("hk-only-%d" % k, "authenticates_as", "hi%d" % (k % ids))
    for i in range(ids):
        e.node("hi%d" % i, "identity", logged="true" if i % 2 else "false",
               last_used="2025-%02d-01" % (1 + (i + k) % 12))
    for r in range(res):
        e.node("hr%d" % r, "resource" if r % 10 else "workflow", sensitivity=SENS[r % 5])
    edge = 0
    for i in range(ids):
        for t in (i + 1, i * 7 + 3):
            edge += 1
            if rnd.random() < 0.05:
                continue
            e.edge("hi%d" % i, "can_assume", "hi%d" % (t % ids),
                   rights="all" if rnd.random() < 0.9 else "|".join(rnd.sample(BUILTIN, 3)))
        for t in (i * 2, i * 2 + 1):
            if rnd.random() < 0.05:
                continue
            e.edge("hi%d" % i, "access", "hr%d" % (t % res),
                   rights="|".join(rnd.sample(BUILTIN[:4], 1 + (t + k) % 3)))


def history(e, scale, rnd, out=None):
    """N snapshots of a small estate (history/NNN/ in import order, the folder's own files the
    last), each with its observed use (events.csv: uses, denied attempts and repeated ids)."""
    n = scaled(200, scale, 6)      # at least the 5 adv_matrix's across() asks for
    for k in range(n):
        est = Estate()
        history_variant(est, k, random.Random("history%d" % k))
        where = out if k == n - 1 else os.path.join(out, "history", "%03d" % k)
        est.write(where)
        with open(os.path.join(where, "events.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(["at", "actor", "target", "right", "via", "ok", "id"])
            er = random.Random("events%d" % k)
            for j in range(100):
                who = er.choice(["hi%d" % er.randrange(50), "hp%d" % er.randrange(10),
                                 "hk%d" % er.randrange(10)])
                w.writerow(["2025-%02d-%02dT%02d:00:00Z" % (1 + j % 12, 1 + k % 28, j % 24),
                            who, "hr%d" % er.randrange(100), er.choice(BUILTIN[:5]),
                            "run-%d" % j, "false" if j % 10 == 0 else "",
                            "ev-%d" % (j if j % 4 == 0 else k * 1000 + j)])


def refused_utf8(e, scale, rnd):
    """Bytes that are not UTF-8 (an overlong NUL, 0xff) in a name and in an id."""
    e.node("ok", "partner", name="over\udcc0\udc80long")
    e.node("bad\udcffbyte", "identity")


def refused_unknown(e, scale, rnd):
    e.node("a", "partner")
    e.edge("a", "holds", "nowhere")


SHAPES = {"deep": deep, "hub": hub, "bipartite": bipartite, "ring": ring, "vocab": vocab,
          "names": names, "dates": dates, "dups": dups,
          "gates": gates, "shared": shared, "limits": limits, "k8s": k8s,
          "history": history, "unknown-node": refused_unknown,
          "bad-utf8": refused_utf8}


def main():
    if len(sys.argv) != 4 or (sys.argv[1] not in SHAPES and sys.argv[1] != "nul-byte"):
        sys.stderr.write(__doc__)
        return 2
    shape, scale, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if shape == "nul-byte":
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "nodes.csv"), "wb") as f:
            f.write(b"id,kind\r\na,partner\r\nb\x00c,identity\r\n")
        return 0
    if shape in ("k8s", "history"):     # more than one estate's CSV files: they write them
        os.makedirs(out, exist_ok=True)
        SHAPES[shape](None, scale, None, out)
        return 0
    e = Estate()
    SHAPES[shape](e, scale, random.Random(shape + str(scale)))
    e.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
