# tests/reliability/adv_check.py: checks for adversarial.sh: that an output parses as its
# format claims, and that every chain a JSON output prints exists and carries what it claims.
"""Usage:
  adv_check.py format FORMAT FILE            json, csv, svg, html, sarif, graphml, text
  adv_check.py chains ESTATE_DIR AT FILE     every chain in FILE (JSON) replayed on the estate

Exit 0 when the file passes, 1 with one line per problem on stdout otherwise. The replay
follows docs/design.md's witness rule on the generator's own CSV files (not authpath's store):
each step an edge of that id, kind and ends, live at AT and traversable; what it carries
R_i = R_{i-1} & rights(e) (escalating: rights(e)) never empty; a gated step open by R_{i-1}
or, when another chain brings the right, by what its tail holds at the fixpoint; and the
rights the output claims for the chain's end within R_n."""

import csv
import html.parser
import json
import re
import sys
import xml.dom.minidom

# names of 64 KiB and more are data too: a cell may hold several
csv.field_size_limit(1 << 30)

BUILTIN = ["read", "write", "delete", "admin", "execute", "approve", "mint", "delegate"]
ALL = (1 << 64) - 1
TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                  r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?$")


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(s):
    m = TIME.match(s)
    if not m:
        raise ValueError("bad time %r" % s)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    h, mi, sec = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
    off = 0
    if m.group(8):
        off = (int(m.group(9)) * 60 + int(m.group(10))) * 60 * (1 if m.group(8) == "+" else -1)
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off


def read_csv(path):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        return list(csv.DictReader(f))


class Estate:
    def __init__(self, folder, at):
        import os
        self.vocab = list(BUILTIN)
        rp = os.path.join(folder, "rights.csv")
        if os.path.exists(rp):
            self.vocab += [r["right"] for r in read_csv(rp)]
        self.at = parse_time(at)
        self.nodes = {r["id"]: r for r in read_csv(os.path.join(folder, "nodes.csv"))}
        self.edges = {}
        self.out = {}
        seen = {}
        for r in read_csv(os.path.join(folder, "edges.csv")):
            eid = r.get("id") or ""
            if not eid:
                base = "%s|%s|%s" % (r["from"], r["kind"], r["to"])
                seen[base] = seen.get(base, 0) + 1
                eid = base if seen[base] == 1 else "%s#%d" % (base, seen[base])
            r["_id"] = eid
            r["_rights"] = self.mask(r.get("rights"), ALL)
            r["_requires"] = self.mask(r.get("requires"),
                                       self.mask("write", 0) if r["kind"] == "triggers" else 0)
            esc = r.get("escalates") or ""
            r["_esc"] = esc == "true" if esc else r["kind"] == "runs_as"
            self.edges[eid] = r
            self.out.setdefault(r["from"], []).append(r)

    def mask(self, text, default):
        if not text:
            return default
        if text == "all":
            return ALL
        if text == "none":
            return 0
        m = 0
        for name in text.split("|"):
            m |= 1 << self.vocab.index(name)
        return m

    def names(self, text_list):
        m = 0
        for name in text_list:
            m |= 1 << self.vocab.index(name)
        return m

    def live_item(self, r):
        st = r.get("state") or "active"
        if st not in ("active", "under_review"):
            return False
        if r.get("valid_from") and parse_time(r["valid_from"]) > self.at:
            return False
        if r.get("expires") and not self.at < parse_time(r["expires"]):
            return False
        return True

    def node_live(self, v, src):
        n = self.nodes[v]
        return v == src or n["kind"] == "partner" or self.live_item(n)

    def edge_usable(self, e, src):
        return (e["kind"] != "depends_on" and self.live_item(e)
                and self.node_live(e["from"], src) and self.node_live(e["to"], src))

    def authority(self, src):
        """The fixpoint of the round rule (a chaotic iteration reaches the same least one)."""
        a = {src: ALL}
        work = [src]
        while work:
            u = work.pop()
            have = a.get(u, 0)
            for e in self.out.get(u, []):
                if not have or not self.edge_usable(e, src):
                    continue
                if e["_requires"] and not have & e["_requires"]:
                    continue
                got = e["_rights"] if e["_esc"] else have & e["_rights"]
                v = e["to"]
                if got & ~a.get(v, 0):
                    a[v] = a.get(v, 0) | got
                    work.append(v)
        return a


CHAIN_KEYS = ("path", "steps")


def chains(doc):
    """(chain, claim, sources, omitted, where) for every chain in doc: claim the rights the
    output says the chain carries to its end (None when it says none), sources the ids it may
    start at (None: any), omitted the 'path_omitted' object when steps were left out."""
    found = []

    def is_chain(x):
        return (isinstance(x, list) and x and all(isinstance(s, dict) and "from" in s
                and "to" in s and "kind" in s and ("edge" in s or "id" in s) for s in x))

    def walk(x, where, ctx):
        if isinstance(x, dict):
            ctx = dict(ctx)
            for key in ("partner", "actor"):
                if isinstance(x.get(key), str):
                    ctx["src"] = [x[key]]
            if isinstance(x.get("partners"), list) and isinstance(x.get("partner"), str):
                ctx["src"] = [x["partner"]] + [p for p in x["partners"] if isinstance(p, str)]
                if x.get("partners_more"):
                    ctx.pop("src")      # the chain may start at a partner not listed
            for k, v in x.items():
                if k in CHAIN_KEYS and is_chain(v) and x.get("reason") != "depends_on":
                    claim = None
                    if k == "path" and "path_rights" in x:
                        claim = x["path_rights"]
                    elif k == "steps" and isinstance(x.get("rights"), list):
                        claim = x["rights"]
                    elif k == "path" and isinstance(x.get("facts"), dict) \
                            and isinstance(x["facts"].get("rights"), str) \
                            and x["facts"].get("target") == v[-1]["to"]:
                        claim = [r for r in x["facts"]["rights"].split(", ") if r]
                    elif k == "path" and isinstance(x.get("rights"), list) and "gate" not in ctx:
                        # a reach item: {"id", "rights", "path"} without path_rights
                        claim = ("reach", x["rights"])
                    found.append((v, claim, ctx.get("src"), x.get("path_omitted"),
                                  where + "." + k))
                sub = dict(ctx)
                if k == "gate":
                    sub["gate"] = True
                    sub.pop("src", None)
                walk(v, where + "." + k, sub)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, "%s[%d]" % (where, i), ctx)
    walk(doc, "", {})
    return found


def check_chains(folder, at, path, notes=None):
    """Problems with the chains in the JSON file at path; notes (a list) collects the reach
    items whose chain carries less than the item's rights (no path_rights says otherwise)."""
    est = Estate(folder, at)
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        doc = json.load(f)
    bad = []
    fix = {}
    n = 0
    for chain, claim, sources, omitted, where in chains(doc):
        n += 1
        src = chain[0]["from"]
        if sources is not None and src not in sources:
            bad.append("%s: starts at %r, not at %r" % (where, src[:80], sources[0][:80]))
            continue
        if src not in fix:
            fix[src] = est.authority(src)
        held = fix[src]
        r = ALL
        prev = src
        gap = omitted["after"] if isinstance(omitted, dict) else -1
        for i, step in enumerate(chain):
            eid = step.get("edge", step.get("id"))
            e = est.edges.get(eid)
            what = "%s step %d (%r)" % (where, i + 1, eid[:80])
            if e is None:
                bad.append("%s: no such edge" % what)
                break
            if i == gap:
                # steps were left out: carry on from what the tail holds at the fixpoint
                prev, r = e["from"], held.get(e["from"], 0)
                if not r:
                    bad.append("%s: after the omitted steps, its tail holds nothing" % what)
                    break
            if (e["from"], e["to"], e["kind"]) != (step["from"], step["to"], step["kind"]) \
                    or e["from"] != prev:
                bad.append("%s: ends or kind do not match the edge, or the chain breaks" % what)
                break
            if not est.edge_usable(e, src):
                bad.append("%s: the edge is not live or not traversable at %s" % (what, at))
                break
            if e["_requires"] and not r & e["_requires"]:
                if not held.get(e["from"], 0) & e["_requires"]:
                    bad.append("%s: gate closed: its tail never holds a right it requires"
                               % what)
                    break
            r = e["_rights"] if e["_esc"] else r & e["_rights"]
            if not r:
                bad.append("%s: carries nothing from here" % what)
                break
            if isinstance(step.get("rights"), list) and est.names(step["rights"]) & ~r:
                bad.append("%s: claims %s, carries %s" % (what, step["rights"],
                                                          show(est, r)))
                break
            prev = e["to"]
        else:
            if isinstance(claim, tuple):
                if notes is not None and est.names(claim[1]) & ~r:
                    notes.append("%s: reach item %s at %r, its chain carries %s"
                                 % (where, claim[1], prev[:80], show(est, r)))
            elif claim is not None and est.names(claim) & ~r:
                bad.append("%s: claims %s at %r, the chain carries %s"
                           % (where, claim, prev[:80], show(est, r)))
    return n, bad


def show(est, m):
    return [est.vocab[i] for i in range(len(est.vocab)) if m >> i & 1]


class StrictHTML(html.parser.HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("end tag </%s> does not close <%s> (line %d)"
                                 % (tag, self.stack[-1] if self.stack else "", self.getpos()[0]))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069"
                     "\u200e\u200f\u061c]")


def check_format(fmt, path):
    with open(path, "rb") as f:
        raw = f.read()
    bad = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        return ["not UTF-8: %s" % ex]
    if fmt in ("json", "sarif", "opengraph"):
        try:
            json.loads(text)
        except ValueError as ex:
            bad.append("JSON does not parse: %s" % ex)
    elif fmt in ("svg", "graphml"):
        try:
            xml.dom.minidom.parseString(raw)
        except Exception as ex:
            bad.append("XML does not parse: %s" % ex)
    elif fmt == "html":
        p = StrictHTML()
        p.feed(text)
        p.close()
        bad += p.problems[:5]
        if p.stack:
            bad.append("unclosed elements at the end: %s" % p.stack[-5:])
        for m in re.finditer(r"<svg.*?</svg>", text, re.S):
            try:
                xml.dom.minidom.parseString(m.group(0).encode())
            except Exception as ex:
                bad.append("inline SVG does not parse as XML: %s" % ex)
                break
    elif fmt == "csv":
        try:
            rows = list(csv.reader(text.splitlines(True) if "\r" not in text
                                   else __import__("io").StringIO(text, newline="")))
            widths = {len(r) for r in rows if r}
            if len(widths) > 1 and not text.startswith("#"):
                bad.append("rows of different widths: %s" % sorted(widths))
        except csv.Error as ex:
            bad.append("CSV does not parse: %s" % ex)
    if fmt in ("text", "markdown"):
        for m in CONTROL.finditer(text.replace("\n", "").replace("\r\n", "")):
            if m.group(0) == "\r" and fmt == "csv":
                continue
            bad.append("raw control or bidi character U+%04X in %s output"
                       % (ord(m.group(0)), fmt))
            break
    return bad


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "format":
        bad = check_format(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "chains":
        n, bad = check_chains(sys.argv[2], sys.argv[3], sys.argv[4])
        if not bad:
            print("%d chains" % n)
    else:
        sys.stderr.write(__doc__)
        return 2
    for b in bad[:20]:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
