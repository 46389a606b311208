#!/bin/sh
# tests/docs/check_self_contained.sh: the repository stands alone. No tracked file (code, docs,
# help texts, man page, goldens, tests, build files) points to a design or research document or a
# shared folder outside it; docs/design.md and the other docs/ pages are where such things live.
# tests/data/real/SOURCES.md is exempt: its lines describe other repositories.
set -eu
src=$1
cd "$src"
# Written so that this file does not match itself.
pattern='DESIGN[.]md|researc[h]/|[.][.]/share[d]|/work/share[d]'
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git ls-files -z > "${TMPDIR:-/tmp}/ap_tracked.$$"
else                            # a copy without .git (as .ci/run makes): every file but builds
    find . -path './build*' -prune -o -path ./.git -prune -o -type f -print0 \
        | sed -z 's|^\./||' > "${TMPDIR:-/tmp}/ap_tracked.$$"
fi
hits=$(xargs -0 grep -InE "$pattern" -- < "${TMPDIR:-/tmp}/ap_tracked.$$" 2>/dev/null \
       | grep -v '^tests/data/real/SOURCES\.md:' || true)
rm -f "${TMPDIR:-/tmp}/ap_tracked.$$"
if [ -n "$hits" ]; then
    echo "references to documents outside the repository (use docs/design.md or another docs/ page):"
    printf '%s\n' "$hits"
    exit 1
fi
echo "no reference outside the repository"
