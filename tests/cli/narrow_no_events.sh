#!/bin/sh
# tests/cli/narrow_no_events.sh: what-if --narrow-to-observed on a snapshot without observed use
# says what it then does (every right of the chains' access edges proposed for removal), and the
# change list says the same (it said "nothing is narrowed" above a list of revocations).
# Usage: narrow_no_events.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
"$AP" --db "$WORK/s.db" import "$SRC/samples/estate.json" >/dev/null 2>"$WORK/err" \
    || fail "import: $(cat "$WORK/err")"
"$AP" --db "$WORK/s.db" --at 2026-11-01 what-if contoso --narrow-to-observed \
    >"$WORK/out.txt" 2>"$WORK/err" || fail "narrow: $(cat "$WORK/err")"
grep -q "holds no observed use" "$WORK/out.txt" || fail "no word of the missing events"
grep -q "nothing is narrowed" "$WORK/out.txt" \
    && fail "it says nothing is narrowed: $(cat "$WORK/out.txt")"
grep -q "proposed for removal" "$WORK/out.txt" || fail "it does not say what it proposes"
n=$(sed -n 's/^Changes (\([0-9]*\)):$/\1/p' "$WORK/out.txt")
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "expected revocations without events, got '$n'"
grep -q "^  revoke " "$WORK/out.txt" || fail "no revocation listed"
echo "no events: $n changes proposed, and said so"
