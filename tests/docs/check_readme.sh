#!/bin/sh
# tests/docs/check_readme.sh: README.md's tour runs as written. Its "A short tour" block runs
# line by line in one shell (exit 0; 1 where it asks for --fail-on) from a folder laid out as a
# checkout after `make demo`: `make demo` there runs scripts/demo.sh on build/authpath, as the
# Makefile does once the command is built. The tour and the demo share build/demo.db, the
# next-quarter import comes last, and `make demo` builds the command alone. Every
# "$ authpath ..." example then prints the lines the README shows ("..." stands for lines left
# out), on the tour's database. Usage: check_readme.sh AUTHPATH SRC WORK
set -eu
authpath=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work/build" "$work/bin"
ln -s "$src/samples" "$work/samples"
ln -s "$src/tests" "$work/tests"
ln -s "$src/scripts" "$work/scripts"
ln -s "$authpath" "$work/build/authpath"
# `make demo`, as the Makefile runs it once build/authpath is built
cat > "$work/bin/make" <<EOF
#!/bin/sh
[ "\$*" = demo ] || { echo "the tour may only run 'make demo', not 'make \$*'"; exit 2; }
exec sh ./scripts/demo.sh build/authpath
EOF
chmod +x "$work/bin/make"
cd "$work"
readme=$src/README.md
fail=0

# the tour: the first ```sh block after the heading
awk '/^## A short tour/ { tour = 1 } tour && /^```sh/ { inside = 1; next }
     inside && /^```/ { exit } inside && NF { print }' "$readme" > tour.txt
test -s tour.txt || { echo "README.md: no tour found"; exit 1; }
[ "$(head -1 tour.txt | cut -d' ' -f1-2)" = "make demo" ] \
    || { echo "README.md tour: it must start with make demo"; fail=1; }
last=$(grep -n 'authpath import ' tour.txt | tail -1 | cut -d: -f1)
queries_after=$(tail -n +"$((last + 1))" tour.txt | grep -vc 'diff ' || true)
[ "$queries_after" = 0 ] \
    || { echo "README.md tour: only diff may follow the last import"; fail=1; }
# one shell for the whole tour (its export holds), each line's exit checked
{
    echo "PATH=$work/bin:/usr/bin:/bin; unset AUTHPATH_DB; fail=0"
    while IFS= read -r line; do
        want=0
        case $line in *--fail-on*) want=1 ;; esac
        printf '%s >out.txt 2>&1\n' "$line"
        printf 'rc=$?; if [ $rc -ne %s ]; then echo "README.md tour: exit $rc (expected %s): %s"; cat out.txt; fail=1; fi\n' \
            "$want" "$want" "$(printf '%s' "$line" | tr -d "'\"\`\$\\\\")"
    done < tour.txt
    echo 'echo "db=$AUTHPATH_DB"; echo "authpath=$(command -v authpath)"; exit $fail'
} > tour.sh
sh tour.sh > tour.out 2>&1 || { cat tour.out; fail=1; }
grep -qx "db=$work/build/demo.db" tour.out \
    || { echo "README.md tour: it does not use the demo's database"; fail=1; }
grep -qx "authpath=$work/build/authpath" tour.out \
    || { echo "README.md tour: it does not call build/authpath"; fail=1; }
snaps=$("$authpath" --db build/demo.db snapshots --format csv | wc -l)
[ "$snaps" = 3 ] || { echo "README.md tour: $((snaps - 1)) snapshots in the demo database, expected 2"; fail=1; }
for f in tailspin-paths.svg wingtip-offboard.svg findings.sarif estate-opengraph.json; do
    [ -s "$f" ] || { echo "README.md tour: no $f"; fail=1; }
done

# `make demo` builds the command alone, not the tests or the fuzzers
make -n -C "$src" demo BUILD="$work/nobuild" JOBS=1 > make-n.txt 2>&1 || true
grep -q -- '--target authpath' make-n.txt || { echo "make demo does not build authpath"; fail=1; }
if grep 'cmake --build' make-n.txt | grep -vq -- '--target authpath'; then
    echo "make demo builds more than the command:"
    grep 'cmake --build' make-n.txt
    fail=1
fi

# the examples: a ``` block whose first line is "$ authpath ...", then lines it must print
export PATH="$(dirname "$authpath"):$PATH" AUTHPATH_DB="$work/build/demo.db"
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
