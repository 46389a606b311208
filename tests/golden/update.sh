#!/bin/sh
# tests/golden/update.sh: regenerate the golden files from the current build after a deliberate
# change of output. Review `git diff tests/golden` before committing: every change must be meant.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${BUILD:-$top/build}" && pwd)
cd "$build" && ctest -R '^golden_' >/dev/null 2>&1 || true
for args in "$top"/tests/golden/*/*.args; do
    group=$(basename "$(dirname "$args")")
    case=$(basename "$args" .args)
    work=$build/tests/golden/$group
    dir=$(dirname "$args")
    # a missing .out means empty output: never write an empty one (run_golden.cmake agrees)
    if [ -s "$work/$case.out" ]; then cp "$work/$case.out" "$dir/$case.out"; else rm -f "$dir/$case.out"; fi
    if [ -s "$work/$case.err" ]; then cp "$work/$case.err" "$dir/$case.err"; else rm -f "$dir/$case.err"; fi
done
echo "updated; exit codes are not regenerated: edit CASE.rc by hand"
