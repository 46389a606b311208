#!/bin/sh
# tests/reliability/adversarial.sh: the adversarial matrix (adv_matrix.py) on shapes of
# gen_adversarial.py at their smallest: every command in its text, JSON, CSV, DOT, SVG and HTML
# forms; exit status, determinism, parsers, and every JSON chain replayed on the estate.
# Usage: adversarial.sh AUTHPATH SRC WORK SAN SHAPE...   (SAN 1: the sanitizer tree, one run each)
. "$(dirname "$0")/common.sh"
san=$4
shift 4
flags=--quick
[ "$san" = 1 ] && flags="--quick --san --once"
# shellcheck disable=SC2086
python3 "$SRC/tests/reliability/adv_matrix.py" "$AP" "$SRC" "$WORK" 1 "$@" $flags \
    >"$WORK/log" 2>&1 || { cat "$WORK/log"; fail "the adversarial matrix on $*"; }
tail -1 "$WORK/log"
