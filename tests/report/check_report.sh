#!/bin/sh
# tests/report/check_report.sh: the evidence pack in a real browser. The sample estate's report
# is byte-identical on a second run, references nothing outside itself, and in headless
# Chromium shows every partner's section with SVG diagrams whose nodes are there; a hostile-name
# estate renders as text (no element from a name). Fails, never skips, without Chromium.
set -eu
authpath=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "FAIL: Chromium is not installed (make deps installs Debian's chromium)"
    exit 1
fi
fail() { echo "FAIL: $*"; exit 1; }
browse() {   # browse FILE.html DOM.html SHOT.png NETLOG.json
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --log-net-log="$4" --dump-dom "file://$1" \
        > "$2" 2> "$work/chromium.err" || { cat "$work/chromium.err"; fail "chromium failed"; }
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --window-size=1280,2400 --screenshot="$3" \
        "file://$1" > /dev/null 2>&1 || fail "chromium could not take a screenshot"
}
# every URL the page asked for: only the report itself (file://), never the network. The
# browser's own fetches (updates, time) carry no page as initiator ("not an origin").
only_file_requests() {
    python3 - "$1" "$2" <<'PY' || exit 1
import json, sys
log = json.load(open(sys.argv[1]))
start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
bad = set()
for e in log.get("events", []):
    p = e.get("params") or {}
    url, initiator = p.get("url", ""), p.get("initiator")
    if e.get("type") != start or "url" not in p or initiator == "not an origin":
        continue
    if not url.startswith(("file://", "data:", "about:")):
        bad.add(url)
if bad:
    print("FAIL: %s requested %s" % (sys.argv[2], sorted(bad)))
    sys.exit(1)
PY
}

export AUTHPATH_DB="$work/samples.db"
"$authpath" import "$src/samples/estate.json" > /dev/null 2>&1
"$authpath" --at 2026-11-01 report > estate.html
"$authpath" --at 2026-11-01 report > estate2.html
cmp -s estate.html estate2.html || fail "two runs of report differ"
# nothing outside the file: no script, no external reference (namespaces are not requests)
grep -qi '<script' estate.html && fail "the report holds a script"
grep -o '\(href\|src\)="[^"#][^"]*"' estate.html | grep -v 'xmlns' > external.txt || true
test -s external.txt && { cat external.txt; fail "the report references something outside it"; }
partners=$("$authpath" --at 2026-11-01 --format json partners |
           python3 -c 'import json,sys; print(len(json.load(sys.stdin)["partners"]))')
browse "$work/estate.html" dom.html estate.png netlog.json
only_file_requests netlog.json estate.html
python3 - "$partners" <<'PY'
import sys
from html.parser import HTMLParser
want = int(sys.argv[1])
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.sections = {}; s.cur = None; s.depth = 0
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "partner" in (a.get("class") or ""):
            s.cur = a["id"]; s.sections[s.cur] = {"svg": 0, "nodes": 0}
        if s.cur and tag == "svg" and "bar" not in (a.get("class") or ""):
            s.sections[s.cur]["svg"] += 1
        if s.cur and tag == "g" and a.get("class") == "node":
            s.sections[s.cur]["nodes"] += 1
    def handle_endtag(s, tag):
        if tag == "section":
            s.cur = None
p = P(); p.feed(open("dom.html").read())
if len(p.sections) != want:
    sys.exit("FAIL: %d partner sections in the rendered DOM, expected %d" % (len(p.sections), want))
for sid, c in sorted(p.sections.items()):
    if c["svg"] < 2 or c["nodes"] == 0:
        sys.exit("FAIL: section %s has %d diagrams with %d nodes" % (sid, c["svg"], c["nodes"]))
print("ok: %d partner sections, each with its diagrams" % want)
PY

# hostile names render as text: no element the names spell exists in the DOM
export AUTHPATH_DB="$work/hostile.db"
"$authpath" import "$src/tests/fixtures/report/hostile.json" > /dev/null 2>&1
"$authpath" report > hostile.html
browse "$work/hostile.html" hostile-dom.html hostile.png hostile-netlog.json
only_file_requests hostile-netlog.json hostile.html
python3 - <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.bad = []
    def handle_starttag(s, tag, attrs):
        if tag in ("script", "img", "iframe", "link", "b") or any(k.startswith("on") for k, _ in attrs):
            s.bad.append((tag, attrs))
        for k, v in attrs:
            if k in ("href", "xlink:href", "src") and v and not v.startswith("#"):
                s.bad.append((tag, attrs))
p = P(); dom = open("hostile-dom.html").read(); p.feed(dom)
if p.bad:
    sys.exit("FAIL: hostile names became markup: %r" % p.bad[:3])
if "<script>alert(1)</script>" not in dom.replace("&lt;", "<").replace("&gt;", ">"):
    sys.exit("FAIL: the hostile partner's id is not shown as text")
if "\u202e" in dom or "\x1b" in dom:
    sys.exit("FAIL: a bidi or escape control reached the page")
print("ok: hostile names are text")
PY

# drift: with observed use (tests/fixtures/usage/FACTS.md), the partner's section has its drift
# part in the rendered DOM: the one use no chain carries (backups), the two never-used grants,
# the one denied attempt; and the summary names every source with its SHA-256
export AUTHPATH_DB="$work/drift.db"
"$authpath" import "$src/tests/fixtures/usage/estate.json" > /dev/null 2>&1
"$authpath" import "$src/tests/fixtures/usage/acme-trail.json" > /dev/null 2>&1
"$authpath" --at 2026-12-01 report > drift.html
browse "$work/drift.html" drift-dom.html drift.png drift-netlog.json
only_file_requests drift-netlog.json drift.html
python3 - "$src" <<'PY'
import hashlib, sys
from html.parser import HTMLParser
src = sys.argv[1]
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.part = None; s.items = {}; s.in_li = False; s.text = ""
        s.in_h4 = False; s.codes = []; s.in_code = False
    def handle_starttag(s, tag, attrs):
        if tag == "h4": s.in_h4 = True; s.text = ""
        if tag == "li" and s.part: s.in_li = True; s.text = ""
        if tag == "code": s.in_code = True; s.codes.append("")
    def handle_endtag(s, tag):
        if tag == "h4":
            s.in_h4 = False
            s.part = s.text.split("(")[-1].rstrip(")").strip()
            s.items[s.part] = []
        if tag == "li" and s.in_li:
            s.in_li = False; s.items[s.part].append(s.text)
        if tag == "code": s.in_code = False
    def handle_data(s, d):
        if s.in_h4 or s.in_li: s.text += d
        if s.in_code: s.codes[-1] += d
p = P(); p.feed(open("drift-dom.html").read())
want = {"usage-not-granted": 1, "granted-never-used": 2, "attempted-not-granted": 1}
got = {k: len(v) for k, v in p.items.items()}
if got != want:
    sys.exit("FAIL: drift parts in the rendered DOM %r, expected %r" % (got, want))
if "backups" not in p.items["usage-not-granted"][0]:
    sys.exit("FAIL: the use no chain carries is not the delete in backups")
for f in ("tests/fixtures/usage/estate.json", "tests/fixtures/usage/acme-trail.json"):
    sha = hashlib.sha256(open("%s/%s" % (src, f), "rb").read()).hexdigest()
    if sha not in p.codes:
        sys.exit("FAIL: the summary does not give %s's SHA-256 %s" % (f, sha))
print("ok: the drift part and the sources' hashes are in the rendered report")
PY
