# tests/reliability/adv_matrix.py: runs every authpath command in every format on the
# estates gen_adversarial.py writes, and checks exit, time, memory, determinism and output.
"""Usage: adv_matrix.py AUTHPATH SRC WORK SCALE SHAPE... [--san] [--once] [--quick]

For each SHAPE: generate it at SCALE (and a second snapshot without its last tenth of
edges), import both, then run the command matrix at --at 2026-01-01 with `timeout 60` and,
without --san, `ulimit -v` 2 GiB (with --san, no SVG form: Graphviz's bytes from the child
that fits the DOT form, which runs). Every run must exit 0 (2 for the shapes the design
refuses, with FILE:LINE:COL), print no sanitizer report, give the same bytes twice (unless
--once), and its output must pass adv_check.py for its format; DOT must render with
`dot -Tsvg`; every JSON chain must replay on the generated estate. --quick (the test suite's
form) leaves out PNG, PDF, the whole estate's report and the second run of diagrams, whose
Graphviz children cost most under ASan. Prints one line per failure and a summary; exit 1 on
any failure."""

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import adv_check  # noqa: E402

AT = "2026-01-01"
REFUSED = {"unknown-node": r"edges\.csv:2:\d+: ", "nul-byte": r"nodes\.csv:3:\d+: ",
           "bad-utf8": r"nodes\.csv:2:\d+: "}
LIMIT = 2 << 30


class Run:
    def __init__(self, ap, work, san, once, quick=False):
        self.ap, self.work, self.san, self.once, self.quick = ap, work, san, once, quick
        self.failures = []
        self.notes = []
        self.count = 0
        self.slowest = (0.0, "")

    def fail(self, what, why):
        line = "FAIL %s: %s" % (what[:200], why[:600])
        self.failures.append(line)
        print(line, flush=True)

    def limits(self):
        if not self.san:
            resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    def exec(self, db, args, out=None):
        cmd = [self.ap, "--db", db, "--at", AT] + args
        env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
        env.pop("AUTHPATH_DB", None)
        t0 = time.time()
        p = subprocess.run(["timeout", "-s", "KILL", "60"] + cmd, capture_output=True,
                           preexec_fn=self.limits, env=env)
        took = time.time() - t0
        self.count += 1
        if took > self.slowest[0]:
            self.slowest = (took, " ".join(a[:40] for a in args))
        if took > 10:
            print("SLOW %.1f s: %s" % (took, " ".join(a[:40] for a in args)[:200]), flush=True)
        return p.returncode, p.stdout, p.stderr, took

    def check(self, shape, db, folder, args, fmt, expect=0):
        what = "%s: %s" % (shape, " ".join(a[:40].encode("unicode_escape").decode()
                                           for a in args))
        rc, out, err, took = self.exec(db, args)
        if re.search(rb"(AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|"
                     rb"runtime error:)", err):
            self.fail(what, "sanitizer report: %s" % err[:800].decode(errors="replace"))
            return None
        if rc != expect:
            self.fail(what, "exit %d (expected %d) after %.1f s: %s"
                      % (rc, expect, took, err[-600:].decode(errors="replace")))
            return None
        if not self.once and fmt not in ("png", "pdf") \
                and not (self.quick and fmt in ("svg", "dot", "html")):
            rc2, out2, _, _ = self.exec(db, args)
            if out2 != out:
                self.fail(what, "two runs differ (%d and %d bytes)" % (len(out), len(out2)))
        if rc != 0:
            return out
        path = os.path.join(self.work, "out." + fmt)
        with open(path, "wb") as f:
            f.write(out)
        if fmt == "png":
            if not out.startswith(b"\x89PNG"):
                self.fail(what, "not a PNG")
        elif fmt == "pdf":
            if not out.startswith(b"%PDF"):
                self.fail(what, "not a PDF")
        elif fmt == "dot":
            p = subprocess.run(["timeout", "60", "dot", "-Tsvg", "-o", "/dev/null", path],
                               capture_output=True)
            if p.returncode != 0:
                self.fail(what, "dot -Tsvg fails: %s" % p.stderr[:300].decode(errors="replace"))
        else:
            for b in adv_check.check_format(fmt, path):
                self.fail(what, b)
        if fmt in ("json",) and folder is not None:
            try:
                _, bad = adv_check.check_chains(folder, AT, path, self.notes)
            except Exception as ex:  # a chain the checker cannot even read is a failure
                bad = ["chain check raised %r" % ex]
            for b in bad[:10]:
                self.fail(what, b)
        return out


def prepare(run, gen, shape, scale, base):
    folder = os.path.join(base, shape)
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, gen, shape, str(scale), folder], check=True)
    return folder


def files(folder):
    if os.path.exists(os.path.join(folder, "cluster.yaml")):    # the k8s shape
        return [os.path.join(folder, "cluster.yaml"), "--partner-map",
                os.path.join(folder, "partners.json")]
    return [os.path.join(folder, f) for f in ("nodes.csv", "edges.csv", "rights.csv")
            if os.path.exists(os.path.join(folder, f))]


def cut_estate(folder, cut):
    """cut: the estate in folder without its last tenth of edges (of documents for k8s)."""
    shutil.rmtree(cut, ignore_errors=True)
    shutil.copytree(folder, cut)
    if os.path.exists(os.path.join(folder, "cluster.yaml")):
        with open(os.path.join(folder, "cluster.yaml"), encoding="utf-8") as f:
            docs = f.read().split("---\n")
        with open(os.path.join(cut, "cluster.yaml"), "w", encoding="utf-8") as f:
            f.write("---\n".join(docs[:1 + (len(docs) - 1) * 9 // 10]))
        return
    with open(os.path.join(folder, "edges.csv"), newline="", encoding="utf-8",
              errors="surrogateescape") as f:
        rows = list(adv_check.csv.reader(f))
    with open(os.path.join(cut, "edges.csv"), "w", newline="", encoding="utf-8",
              errors="surrogateescape") as f:
        adv_check.csv.writer(f, lineterminator="\r\n").writerows(
            rows[:1 + (len(rows) - 1) * 9 // 10])


def replay_folder(run, db, folder):
    """Where the chains are replayed: the generator's CSV files, or for an estate in another
    reader's format, the latest snapshot exported as native CSV (nodes.csv, edges.csv...)."""
    if os.path.exists(os.path.join(folder, "nodes.csv")):
        return folder
    out = folder + "-replay"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rc, _, err, _ = run.exec(db, ["export", "--format", "csv", "--output",
                                  os.path.join(out, "x")])
    if rc != 0:
        run.fail("export csv for the replay", err[-300:].decode(errors="replace"))
        return None
    for part in ("nodes", "edges", "rights"):
        if os.path.exists(os.path.join(out, "x-%s.csv" % part)):
            os.rename(os.path.join(out, "x-%s.csv" % part), os.path.join(out, part + ".csv"))
    return out


def pick(run, db):
    """A partner (the highest score), a target it reaches (the farthest resource or workflow),
    a credential it reaches and an edge on that chain."""
    rc, out, _, _ = run.exec(db, ["partners", "--format", "json"])
    ps = json.loads(out)["partners"] if rc == 0 else []
    if not ps:
        return None
    p = ps[0]["id"]
    rc, out, _, _ = run.exec(db, ["authority", "--", p, "--format", "json"])
    reach = json.loads(out)["reach"] if rc == 0 else []
    targets = [r for r in reach if r["kind"] in ("resource", "workflow")]
    t = max(targets, key=lambda r: (r["hops"], r["id"]))["id"] if targets else None
    creds = [r["id"] for r in reach if r["kind"] == "credential"]
    edge = None
    for r in reach:
        if r.get("path"):
            edge = r["path"][-1]["edge"]
    return p, t, creds[0] if creds else None, edge


def history(run, shape, db, folder):
    """The history shape's earlier snapshots, each with its events, before the others."""
    top = os.path.join(folder, "history")
    for k in sorted(os.listdir(top)) if os.path.isdir(top) else []:
        for args in (["import", "--label", "history " + k] + files(os.path.join(top, k)),
                     ["import", os.path.join(top, k, "events.csv")]):
            rc, _, err, _ = run.exec(db, args)
            if rc != 0:
                run.fail("%s: import history %s" % (shape, k), err[-600:].decode(errors="replace"))
                return False
    return True


def across(run, c, db, p):
    """Commands over many snapshots and their observed use (the history shape)."""
    rc, out, _, _ = run.exec(db, ["snapshots", "--format", "json"])
    snaps = json.loads(out)["snapshots"] if rc == 0 else []
    if len(snaps) < 5:
        return
    last = str(snaps[-1]["id"])
    mid = str(snaps[len(snaps) // 2]["id"])
    for f in ("text", "json", "csv"):
        c(["diff", "1", last, "--format", f], f)
        c(["diff", mid, last, "--partner", p, "--format", f], f)
        c(["authority", p, "--observed", "--format", f], f)
        c(["authority", p, "--observed", "--since", "2025-06-01", "--format", f], f)
        c(["--snapshot", mid, "authority", p, "--observed", "--format", f], f)
        c(["--snapshot", mid, "partners", "--format", f], f)
        c(["--snapshot", mid, "findings", "--since", "2025-03-01", "--format", f], f)
    c(["--snapshot", mid, "report", p, "--since", "2025-01-01"], "html")
    c(["report", p, "--since", "2025-01-01"], "html")
    c(["what-if", p, "--narrow-to-observed", "--since", "2025-01-01", "--format", "json"],
      "json")
    c(["--snapshot", mid, "what-if", p, "--narrow-to-observed", "--format", "text"], "text")


def matrix(run, shape, folder, db):
    many = folder is not None and os.path.isdir(os.path.join(folder, "history"))

    def c(args, fmt, expect=0):
        if run.quick and (fmt in ("png", "pdf") or args == ["report"]):
            return None
        if run.san and fmt == "svg":    # Graphviz's bytes from the DOT's fit: plain tree only
            return None
        # chains of another snapshot than the latest are not replayed on its files
        other = args[0] == "--snapshot" or (many and args[0] == "diff")
        return run.check(shape, db, None if other else folder, args, fmt, expect)
    picked = pick(run, db)
    for f in ("text", "json", "csv"):
        c(["snapshots", "--format", f], f)
        c(["diff", "1", "2", "--format", f], f)
        c(["inventory", "--format", f], f)
        c(["partners", "--format", f], f)
        c(["blast-radius", "--format", f], f)
        c(["findings", "--format", f], f)
    c(["inventory", "--all", "--format", "json"], "json")
    c(["findings", "--format", "sarif"], "sarif")
    for f in ("text", "json", "csv", "markdown"):
        c(["rules", "--format", f], f)
    c(["report"], "html")
    for f in ("text", "json", "dot", "svg"):
        c(["delegation", "--format", f], f)
    c(["export", "--format", "opengraph"], "json")
    c(["export", "--format", "graphml"], "graphml")
    c(["what-if", "--until", "2027-01-01", "--format", "json"], "json")
    c(["what-if", "--until", "9999-12-31", "--format", "text"], "text")
    roundtrip(run, shape, db)
    if picked is None:
        return
    p, t, cred, edge = picked
    across(run, c, db, p)
    c(["diff", "1", "2", "--partner", p, "--format", "json"], "json")
    for f in ("text", "json", "csv", "dot", "svg", "png", "pdf"):
        c(["authority", p, "--format", f], f)
        c(["blast-radius", p, "--format", f], f)
        c(["paths", p, "--format", f], f)
    c(["authority", p, "--evidence", "--format", "json"], "json")
    c(["authority", p, "--evidence"], "text")
    for f in ("text", "json", "dot", "svg"):
        c(["delegation", p, "--format", f], f)
        c(["offboard", p, "--format", f], f)
    c(["offboard", p, "--all", "--format", "json"], "json")
    c(["offboard", p, "--min-sensitivity", "public", "--format", "json"], "json")
    for f in ("text", "json", "csv"):
        c(["findings", "--partner", p, "--format", f], f)
    c(["report", p], "html")
    c(["what-if", p, "--until", "2030-01-01", "--format", "json"], "json")
    c(["what-if", p, "--narrow-to-observed", "--format", "json"], "json")
    if t is not None:
        for f in ("text", "json"):
            c(["explain", p, t, "--format", f], f)
            c(["explain", p, t, "--evidence", "--format", f], f)
        for f in ("text", "json", "csv", "svg"):
            c(["paths", p, "--to", t, "--max-depth", "40", "--format", f], f)
        c(["paths", p, "--to", t, "--max-depth", "1000", "--max-paths", "100",
           "--format", "json"], "json")
        grant = "%s -access[read,write]-> %s" % (p, t)
        c(["what-if", p, "--grant", grant, "--format", "json"], "json")
        c(["what-if", p, "--grant", grant, "--expires", "2026-06-01"], "text")
    for rid in (cred, edge):
        if rid is not None:
            c(["what-if", p, "--revoke", rid, "--format", "json"], "json")
            c(["what-if", p, "--revoke", rid], "text")


def roundtrip(run, shape, db):
    """export --format csv, imported again, exports the same bytes."""
    pre = os.path.join(run.work, "rt1")
    rc, _, err, _ = run.exec(db, ["export", "--format", "csv", "--output", pre])
    if rc != 0:
        run.fail(shape + ": export csv", err[-300:].decode(errors="replace"))
        return
    got = [f for f in (pre + "-nodes.csv", pre + "-edges.csv", pre + "-rights.csv")
           if os.path.exists(f)]
    db2 = os.path.join(run.work, "rt.db")
    for f in os.listdir(run.work):
        if f.startswith("rt.db"):
            os.remove(os.path.join(run.work, f))
    rc, _, err, _ = run.exec(db2, ["import"] + got)
    if rc != 0:
        run.fail(shape + ": export csv does not import back",
                 err[-600:].decode(errors="replace"))
        return
    pre2 = os.path.join(run.work, "rt2")
    run.exec(db2, ["export", "--format", "csv", "--output", pre2])
    for a in got:
        b = a.replace(pre, pre2)
        if open(a, "rb").read() != open(b, "rb").read():
            run.fail(shape + ": export csv round trip", "%s differs" % os.path.basename(b))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) < 5:
        sys.stderr.write(__doc__)
        return 2
    ap, src, work, scale, shapes = args[0], args[1], args[2], int(args[3]), args[4:]
    run = Run(os.path.abspath(ap), work, "--san" in sys.argv, "--once" in sys.argv,
              "--quick" in sys.argv)
    os.makedirs(work, exist_ok=True)
    gen = os.path.join(src, "tests", "reliability", "gen_adversarial.py")
    for shape in shapes:
        t0 = time.time()
        before = len(run.failures)
        folder = prepare(run, gen, shape, scale, os.path.join(work, "estates"))
        db = os.path.join(work, shape + ".db")
        for f in os.listdir(work):
            if f.startswith(shape + ".db"):
                os.remove(os.path.join(work, f))
        if shape in REFUSED:
            rc, out, err, _ = run.exec(db, ["import"] + files(folder))
            if rc != 2 or not re.search(rb"^authpath: \S*" + REFUSED[shape].encode(), err, re.M) \
                    or out:
                run.fail(shape, "import: exit %d, %r" % (rc, err[:300]))
            if os.path.exists(db):
                rc2, out2, _, _ = run.exec(db, ["snapshots", "--format", "csv"])
                if out2.count(b"\n") > 1:
                    run.fail(shape, "the refused import left a snapshot")
            print("%s: refused as designed, %.1f s" % (shape, time.time() - t0), flush=True)
            continue
        if not history(run, shape, db, folder):
            continue
        rc, _, err, _ = run.exec(db, ["import", "--label", "full"] + files(folder))
        if rc != 0:
            run.fail(shape + ": import", err[-600:].decode(errors="replace"))
            continue
        # the second snapshot: the same estate without its last tenth of edges
        cut = folder + "-cut"
        cut_estate(folder, cut)
        rc, _, err, _ = run.exec(db, ["import", "--label", "cut"] + files(cut))
        if rc != 0:
            run.fail(shape + ": import cut", err[-600:].decode(errors="replace"))
            continue
        # the queries run on the latest snapshot, the full estate imported a third time
        run.check(shape, db, None, ["snapshots", "--format", "json"], "json")
        db = db2_first(run, db, folder)
        if os.path.exists(os.path.join(folder, "events.csv")):
            rc, _, err, _ = run.exec(db, ["import", os.path.join(folder, "events.csv")])
            if rc != 0:
                run.fail(shape + ": import events", err[-600:].decode(errors="replace"))
        matrix(run, shape, replay_folder(run, db, folder), db)
        print("%s: %d failures, %.1f s" % (shape, len(run.failures) - before,
                                          time.time() - t0), flush=True)
    for n in run.notes[:10]:
        print("NOTE " + n[:300])
    print("%d runs, %d failures, %d notes; slowest %.1f s (%s)"
          % (run.count, len(run.failures), len(run.notes), run.slowest[0], run.slowest[1]))
    return 1 if run.failures else 0


def db2_first(run, db, folder):
    """The two-snapshot database, queried at snapshot 1 by default: a copy whose latest
    snapshot is the full estate (import the full one again as snapshot 3)."""
    rc, _, err, _ = run.exec(db, ["import", "--label", "full-again"] + files(folder))
    if rc != 0:
        run.fail("reimport", err[-300:].decode(errors="replace"))
    return db


if __name__ == "__main__":
    sys.exit(main())
