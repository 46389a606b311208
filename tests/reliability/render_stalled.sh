#!/bin/sh
# tests/reliability/render_stalled.sh: the wall clock of a rendering (query/render/dot_render.c)
# stops a child that makes no progress, and only such a child. Arguments: AUTHPATH SRC WORK
# SHIM (render_shim.c built as a shared library, preloaded over Graphviz's gvLayout).
. "$(dirname "$0")/common.sh"
SHIM=$4
"$AP" --db "$WORK/s.db" import "$SRC/samples/estate.json" >/dev/null 2>"$WORK/err" \
    || fail "cannot import the sample: $(cat "$WORK/err")"
P=wingtip

# a child that waits 35 s for a CPU, getting 20 ms of it each second, is not stopped: the
# rendering completes (before, a fixed 30 s of wall clock killed it)
rc=0
AP_SHIM=starve AP_SHIM_SECONDS=35 AP_SHIM_ONCE=$WORK/once LD_PRELOAD=$SHIM timeout 120 "$AP" --db "$WORK/s.db" \
    --at 2026-11-01 authority "$P" --format svg >"$WORK/starved.svg" 2>"$WORK/starved.err" || rc=$?
[ "$rc" -eq 0 ] || fail "a slow but working renderer was stopped: rc=$rc $(cat "$WORK/starved.err")"
grep -q '</svg>' "$WORK/starved.svg" || fail "the slow rendering wrote no SVG"

# a child that blocks for good is stopped after 30 s without progress: exit 3, one line, no
# output, and no child left behind
rc=0
start=$(date +%s)
AP_SHIM=stall LD_PRELOAD=$SHIM timeout 120 "$AP" --db "$WORK/s.db" --at 2026-11-01 \
    authority "$P" --format svg >"$WORK/stalled.svg" 2>"$WORK/stalled.err" || rc=$?
took=$(( $(date +%s) - start ))
[ "$rc" -eq 3 ] || fail "a blocked renderer: rc=$rc (want 3) $(cat "$WORK/stalled.err")"
grep -q '^authpath: graphviz: rendering took too long; nothing was written$' "$WORK/stalled.err" \
    || fail "a blocked renderer said: $(cat "$WORK/stalled.err")"
[ ! -s "$WORK/stalled.svg" ] || fail "a blocked renderer wrote output"
[ "$took" -ge 29 ] && [ "$took" -lt 100 ] || fail "a blocked renderer was stopped after ${took} s"
echo "a crawling renderer finished; a blocked one was stopped after ${took} s"
