#!/bin/sh
# tests/docs/check_commands.sh: every command in `authpath --help` (the table in cli/main.c) is
# described in the man page (docs/authpath.1) and listed in README.md's command table.
set -eu
authpath=$1
src=$2
fail=0
cmds=$("$authpath" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit }
                                 on { print $1 }')
[ -n "$cmds" ] || { echo "authpath --help lists no commands"; exit 1; }
for c in $cmds; do
    man=$(printf '%s' "$c" | sed 's/-/\\\\-/g')      # groff writes what-if as what\-if
    if ! grep -q "^\.B $man\( \|$\)" "$src/docs/authpath.1"; then
        echo "docs/authpath.1: no entry for '$c'"
        fail=1
    fi
    if ! grep -q "^| \`$c[ \`]" "$src/README.md"; then
        echo "README.md: '$c' missing from the command table"
        fail=1
    fi
done
exit $fail
