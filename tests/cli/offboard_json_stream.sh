#!/bin/sh
# tests/cli/offboard_json_stream.sh: `offboard --all --format json` is written a piece at a time,
# lists within lists (the revoke lists of each shared credential): 60 partners x 60 shared keys
# (22 MB of JSON) took 180 MB built as one document (300 x 300: 600 MB at 3.2 GB); streamed,
# 14 MB. The bytes are the whole document's: its md5 from the build that made the tree, and
# Python's own dump of what it parses (jansson's layout), even where an id reads like a key.
# Usage: offboard_json_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/offboard.db
python3 - "$WORK" 60 <<'PY'
import sys
w, n = sys.argv[1], int(sys.argv[2])
def q(s): return '"' + s.replace('"', '""') + '"'
# every seventh key's id reads like the empty list its object streams into
cred = lambda c: 'k%03d "holders": [] \u00e9' % c if c % 7 == 0 else "k%03d" % c
with open(w + "/nodes.csv", "w") as f:
    f.write("id,kind,sensitivity,multi_tenant,static,contract_ends,expires\n")
    for p in range(n):
        f.write("p%03d,partner,,,,2026-06-01,\n" % p)
    for c in range(n):
        f.write("%s,credential,,true,true,,\n" % q(cred(c)))
        f.write("i%03d,identity,,,,,\nr%03d,resource,confidential,,,,\n" % (c, c))
with open(w + "/edges.csv", "w") as f:
    f.write("from,to,kind,rights\n")
    for c in range(n):
        f.write("%s,i%03d,authenticates_as,\ni%03d,r%03d,access,read|write\n"
                % (q(cred(c)), c, c, c))
        for p in range(n):
            f.write("p%03d,%s,holds,\n" % (p, q(cred(c))))
PY
# imported from inside WORK: the chains' steps name their source files as given
(cd "$WORK" && "$AP" --db "$db" import nodes.csv edges.csv 2>"$WORK/err") \
    || fail "import: $(cat "$WORK/err")"
# the peak is judged in the plain build: AddressSanitizer's quarantine keeps freed memory
sanitized=0
ldd "$AP" 2>/dev/null | grep -q libasan && sanitized=1
python3 - "$AP" "$db" "$WORK/offboard.json" "$sanitized" <<'PY' \
    || fail "offboard JSON not streamed"
import hashlib, json, resource, subprocess, sys
ap, db, out, sanitized = sys.argv[1:5]
with open(out, "wb") as f:
    subprocess.run([ap, "--db", db, "--at", "2026-01-01", "offboard", "p000", "--all",
                    "--format", "json"], stdout=f, check=True)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
raw = open(out, "rb").read()
# the md5 of the document built whole and dumped by jansson (main at e2dbde8)
assert hashlib.md5(raw).hexdigest() == "cb84a19a72b22e5b346fff7206ac2fd2", len(raw)
doc = json.loads(raw)
again = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
assert again == raw, "not the layout of one document"
shared = doc["shared_credentials"]
assert len(shared) == 60 and all(len(s["holders"]) == 59 for s in shared), len(shared)
assert sum(len(s["revoke"]) for s in shared) == 10620
assert shared[0]["id"] == 'k000 "holders": [] \u00e9', shared[0]["id"]
assert sanitized == "1" or peak_mib < 80, "peak %.0f MiB" % peak_mib
PY
# whole or not at all: where no temporary file can be made, nothing is printed
rc=0
TMPDIR=$WORK/no-such-dir "$AP" --db "$db" --at 2026-01-01 offboard p000 --all --format json \
    >"$WORK/none.json" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 3 ] || fail "exit $rc without a temporary file"
[ ! -s "$WORK/none.json" ] || fail "$(wc -c <"$WORK/none.json") bytes printed without one"
grep -q "^authpath: cannot make a temporary file for the answer" "$WORK/err" \
    || fail "no message: $(cat "$WORK/err")"
echo ok
