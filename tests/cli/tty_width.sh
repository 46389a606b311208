#!/bin/sh
# tests/cli/tty_width.sh: on a terminal (a pseudo-terminal made by util-linux `script`, its
# width set by stty) text tables fit the terminal: long cells lose their middle to an ellipsis;
# --wide, a pipe or --output give them whole. Usage: tty_width.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/tty.db
"$AP" --db "$db" import "$SRC/samples/estate.json" 2>/dev/null || fail "import"
command -v script >/dev/null || fail "util-linux script is needed"
on_tty() {     # on_tty COLS ARGS...: the command's output on a COLS-wide terminal
    cols=$1
    shift
    script -qec "stty cols $cols rows 50; $AP --db $db --at 2026-11-01 $*" /dev/null \
        | tr -d '\r'
}
# the longest line, in characters (the ellipsis counted as one)
longest() { sed 's/…/./g' | awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }'; }

for cmd in "authority contoso" "partners" "inventory" "findings --format csv"; do
    whole=$("$AP" --db "$db" --at 2026-11-01 $cmd | longest)
    [ "$whole" -gt 100 ] || fail "$cmd: the test needs lines over 100 characters ($whole)"
done
for cmd in "authority contoso" "partners" "inventory"; do
    out=$(on_tty 100 "$cmd")
    n=$(printf '%s\n' "$out" | longest)
    case $cmd in
    partners) ;;    # its headers alone are wider than 100: only its cells can shrink
    *) [ "$n" -le 100 ] || fail "$cmd on a 100-column terminal: a line of $n characters" ;;
    esac
    printf '%s\n' "$out" | grep -q '…' || fail "$cmd on a terminal: nothing shortened"
    wide=$(on_tty 100 "$cmd --wide" | longest)
    [ "$wide" -gt 100 ] || fail "$cmd --wide on a terminal was shortened ($wide)"
    piped=$("$AP" --db "$db" --at 2026-11-01 $cmd | grep -c '…' || true)
    [ "$piped" = 0 ] || fail "$cmd into a pipe was shortened"
    to_file=$(on_tty 100 "$cmd --output $WORK/out.txt"; grep -c '…' "$WORK/out.txt" || true)
    [ "$to_file" = 0 ] || fail "$cmd --output on a terminal was shortened"
done
# a shortened cell keeps its start and its end: paths from contoso to prod-servers
out=$(on_tty 100 "authority contoso")
printf '%s\n' "$out" | grep -q '  …\|…  \|…$' && fail "a cell lost its start or its end"
printf '%s\n' "$out" | grep -q '  contoso .*…[^ ]* \[admin\]$' \
    || fail "no path shortened in the middle"
# PNG is refused on a terminal, but --output puts it in a file
on_tty 100 "paths contoso --format png --output $WORK/p.png" >/dev/null
[ "$(head -c 4 "$WORK/p.png" | od -An -c | tr -d ' ')" = "211PNG" ] \
    || fail "--output FILE --format png on a terminal wrote no PNG"
# CSV and JSON are data: never shortened, terminal or not
[ "$(on_tty 100 "findings --format csv" | grep -c '…' || true)" = 0 ] || fail "CSV shortened"
echo ok
