#!/bin/sh
# tests/docs/check_readme.sh: README.md's tour is true. Every command of its "A short tour" block
# runs (exit 0; 1 where it asks for --fail-on), and every "$ authpath ..." example prints the
# lines the README shows ("..." stands for lines left out).
set -eu
authpath=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
ln -s "$src/samples" "$work/samples"
ln -s "$src/tests" "$work/tests"
cd "$work"
PATH=$(dirname "$authpath"):$PATH
AUTHPATH_DB=$work/readme.db
export PATH AUTHPATH_DB
readme=$src/README.md
fail=0

# the tour: the first ```sh block after the heading
awk '/^## A short tour/ { tour = 1 } tour && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit } inside && NF { print }' "$readme" > tour.sh
test -s tour.sh || { echo "README.md: no tour found"; exit 1; }
while IFS= read -r line; do
    want=0
    case $line in *--fail-on*) want=1 ;; esac
    set +e
    sh -c "$line" > out.txt 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne "$want" ]; then
        echo "README.md tour: exit $rc (expected $want): $line"
        cat out.txt
        fail=1
    fi
done < tour.sh

# the examples: a ``` block whose first line is "$ authpath ...", then lines it must print
awk '/^```$/ { if (inside) { inside = 0; next } getline first;
                if (first ~ /^\$ authpath /) {
                    inside = 1; n++; print substr(first, 3) > ("cmd" n)
                }
                next }
     inside { print > ("want" n) }' "$readme"
for cmd in cmd*; do
    [ -f "$cmd" ] || continue
    n=${cmd#cmd}
    set +e
    sh -c "$(cat "$cmd")" > got.txt 2>&1
    set -e
    while IFS= read -r want; do
        case $want in *[!\ .]*) ;; *...*) continue ;; esac      # "...", indented or not
        if ! grep -Fxq -- "$want" got.txt; then
            echo "README.md example '$(cat "$cmd")' does not print:"
            echo "  $want"
            fail=1
        fi
    done < "want$n"
done
[ -n "$(ls cmd* 2>/dev/null)" ] || { echo "README.md: no examples found"; exit 1; }
exit $fail
