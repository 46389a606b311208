#!/bin/sh
# tests/cli/report_stream.sh: the report written as it is made (a MiB at a time) is the page
# whole: the same bytes to stdout and to --output, one document that ends where HTML ends,
# each reached resource once in the node index, over many flushes (a page of several MiB).
# Usage: report_stream.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
awk 'BEGIN { print "id,kind,name,sensitivity"; print "p,partner,P,"; print "k,credential,K,"
             print "h,identity,H,"
             for (i = 0; i < 30000; i++)
                 printf "r%05d,resource,Resource <%05d> & co,confidential\n", i, i }' \
    > "$WORK/nodes.csv"
awk 'BEGIN { print "from,kind,to,rights"; print "p,holds,k,"; print "k,authenticates_as,h,"
             for (i = 0; i < 30000; i++) printf "h,access,r%05d,read\n", i }' > "$WORK/edges.csv"
"$AP" --db "$WORK/r.db" import "$WORK/nodes.csv" "$WORK/edges.csv" 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$WORK/r.db" --at 2026-06-01 report p > "$WORK/out.html" 2>"$WORK/err" \
    || fail "report to stdout: $(cat "$WORK/err")"
"$AP" --db "$WORK/r.db" --at 2026-06-01 report p --output "$WORK/file.html" 2>"$WORK/err" \
    || fail "report --output: $(cat "$WORK/err")"
cmp -s "$WORK/out.html" "$WORK/file.html" || fail "stdout and --output differ"
python3 - "$WORK/out.html" <<'PY' || fail "the streamed page is not whole"
import sys
page = open(sys.argv[1], encoding="utf-8").read()
assert len(page.encode()) > 3 << 20, len(page)         # several flushes of a MiB
assert page.startswith("<!DOCTYPE html>") and page.endswith("</body></html>\n")
assert page.count("<!DOCTYPE html>") == 1 and page.count("</html>") == 1
for i in (0, 12345, 29999):                            # escaped, once in the node index
    assert page.count('id="n-r%05d"' % i) == 1, i
    assert "Resource &lt;%05d&gt; &amp; co" % i in page, i
PY
echo ok
