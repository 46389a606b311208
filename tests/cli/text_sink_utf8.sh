#!/bin/sh
# tests/cli/text_sink_utf8.sh: the text sink escapes by code point across its buffer flushes:
# an inventory of names made of 3-byte characters, over many 64 KiB flushes (the test checks
# that one flush falls inside a character), prints every name whole, never as \xNN.
# Usage: text_sink_utf8.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/utf8.db
awk 'BEGIN {
    arrows = ""
    for (k = 0; k < 100; k++)
        arrows = arrows "\342\206\222"
    printf "{\"format\": \"authpath/1\", \"nodes\": [\n"
    for (i = 0; i < 3000; i++)
        printf "%s{\"id\": \"n%05d\", \"kind\": \"partner\", \"name\": \"Zo\303\253 %s%s\"}\n",
               i ? "," : "", i, substr("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, i % 29), arrows
    printf "]}\n"
}' > "$WORK/utf8.json"
"$AP" --db "$db" import "$WORK/utf8.json" 2>/dev/null || fail "import"
"$AP" --db "$db" inventory >"$WORK/out.txt" || fail "inventory"
size=$(wc -c <"$WORK/out.txt")
# stdio hands the sink full 64 KiB buffers: is one of their ends inside a character?
cut=0
at=65536
while [ $at -lt "$size" ]; do
    byte=$(od -An -tu1 -j $at -N1 "$WORK/out.txt" | tr -d ' ')
    [ "$byte" -ge 128 ] && [ "$byte" -lt 192 ] && cut=$((cut + 1))
    at=$((at + 65536))
done
[ $cut -gt 0 ] || fail "no flush falls inside a character: the test proves nothing"
! grep -q '\\x\|\\u' "$WORK/out.txt" || fail "a character was cut: $(grep -m1 -o '.\{20\}\\[xu].\{8\}' "$WORK/out.txt")"
[ "$(grep -c "Zoë x*→→→" "$WORK/out.txt")" = 3000 ] || fail "names lost"
echo "ok ($cut of $((size / 65536)) flushes inside a character)"
