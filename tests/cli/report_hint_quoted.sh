#!/bin/sh
# tests/cli/report_hint_quoted.sh: the report's hint for a partner whose reach is longer than its
# table ("authpath authority ... lists them all") names the id as one shell word: an id is data,
# and `p'; touch FILE #` pasted into a shell must be that id, not a second command.
# Usage: report_hint_quoted.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/hint.db
mark=$WORK/touched
python3 - "$WORK" "$mark" <<'PY'
import sys
w, mark = sys.argv[1], sys.argv[2]
pid = "p'; touch %s #" % mark
q = lambda s: '"' + s.replace('"', '""') + '"'
with open(w + "/nodes.csv", "w") as n, open(w + "/edges.csv", "w") as e:
    n.write("id,kind\n%s,partner\nsvc,identity\n" % q(pid))
    e.write("from,to,kind,rights\n%s,svc,can_assume,\n" % q(pid))
    for r in range(210):        # more than the 200 rows a section lists
        n.write("r%03d,resource\n" % r)
        e.write("svc,r%03d,access,read\n" % r)
PY
"$AP" --db "$db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$db" --at 2026-01-01 report >"$WORK/r.html" 2>"$WORK/err" \
    || fail "report: $(cat "$WORK/err")"
python3 - "$WORK/r.html" >"$WORK/hint" <<'PY' || fail "no hint in the report"
import html, re, sys
m = re.search(r"<code>(authpath authority --format json -- [^<]*)</code>", open(sys.argv[1]).read())
assert m, "hint"
print(html.unescape(m.group(1)))
PY
# the hint, run by a shell with authpath replaced by printf: one word, the id, nothing touched
cmd=$(sed 's/^authpath authority --format json -- /printf "%s\\n" /' "$WORK/hint")
out=$(sh -c "$cmd") || fail "the hint is not a valid shell command: $(cat "$WORK/hint")"
[ ! -e "$mark" ] || fail "the hint ran a second command: $(cat "$WORK/hint")"
[ "$out" = "p'; touch $mark #" ] || fail "the hint names '$out', not the id"
echo ok
