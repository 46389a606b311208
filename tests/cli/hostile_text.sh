#!/bin/sh
# tests/cli/hostile_text.sh: no command's text output lets a name from the input reach the
# terminal raw. tests/fixtures/cli/hostile-text*.json name partners, identities, credentials,
# roles, resources and workflows (ids, names, owners, purposes) with every C0 control, DEL,
# every C1 control and every bidi control, then a newline and "FORGED": every command's text
# on stdout and stderr must hold none of them raw (newline and tab only as the layout writes
# them) and no line may start with what follows a newline in a name.
# Usage: hostile_text.sh AUTHPATH SRC WORK
. "$(dirname "$0")/../reliability/common.sh"
db=$WORK/hostile.db
fx=$SRC/tests/fixtures/cli
export AUTHPATH_DB=$db

# The hostile text of the fixtures: C0 (but NUL), DEL, C1, ALM, LRM, RLM, U+202A-E, U+2066-9.
ALL=""
i=1
while [ $i -le 31 ]; do
    ALL=$ALL$(printf "\\$(printf %03o $i)x")
    ALL=${ALL%x}
    i=$((i + 1))
done
ALL=$ALL$(printf '\177')
i=128
while [ $i -le 159 ]; do
    ALL=$ALL$(printf "\\302\\$(printf %03o $i)")
    i=$((i + 1))
done
ALL=$ALL$(printf '\330\234\342\200\216\342\200\217\342\200\252\342\200\253\342\200\254')
ALL=$ALL$(printf '\342\200\255\342\200\256\342\201\246\342\201\247\342\201\250\342\201\251')
id() { printf '%s%s\nFORGED %s' "$1" "$ALL" "$1"; }
pa=$(id pa)
pb=$(id pb)
key=$(id key)
db_=$(id db)
svc=$(id svc)
role=$(id role)

# raw: what must never be printed (C0 but newline and tab, DEL, C1, bidi), as a Perl regex
raw='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]'
printf 'ok\033[31m' | LC_ALL=C grep -qaP "$raw" || fail "the pattern misses ESC"
printf 'ok\342\200\256' | LC_ALL=C grep -qaP "$raw" || fail "the pattern misses RLO"
printf 'ok \342\200\224 \303\251\tx\n' | LC_ALL=C grep -qaP "$raw" && fail "the pattern takes text"

runs=0
check() {       # check NAME EXPECTED-RC ARGS...: run authpath, inspect stdout and stderr
    name=$1
    want=$2
    shift 2
    rc=0
    "$AP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
    case " $want " in
    *" $rc "*) ;;
    *) fail "$name: exit $rc (expected $want): $(head -c 600 "$WORK/$name.err")" ;;
    esac
    for s in out err; do
        if LC_ALL=C grep -naP "$raw" "$WORK/$name.$s" >"$WORK/$name.hit"; then
            fail "$name: raw control in std$s: $(head -c 300 "$WORK/$name.hit" | od -c | head -5)"
        fi
        if LC_ALL=C grep -naE '^(\\|[[:space:]])*FORGED' "$WORK/$name.$s" >"$WORK/$name.hit"; then
            fail "$name: a name forged a line in std$s: $(head -3 "$WORK/$name.hit")"
        fi
    done
    runs=$((runs + 1))
}

check import1 0 import "$fx/hostile-text.json" --label "$(id label)"
check import2 0 import "$fx/hostile-text-q2.json"
check import_bad 2 import "$fx/hostile-text-bad.json"
check help 0 --help
for cmd in import snapshots diff inventory partners authority blast-radius explain offboard \
           what-if findings rules paths delegation export demo; do
    check "help_$cmd" 0 "$cmd" --help
done
check snapshots 0 snapshots
check diff 0 --at 2026-11-01 diff 1 2
check diff_partner 0 --at 2026-11-01 diff 1 2 --partner "$pa"
check inventory 0 --at 2026-11-01 inventory
check inventory_expiring 0 --at 2026-11-01 inventory --expiring 90
check partners 0 --at 2026-11-01 partners
check authority 0 --at 2026-11-01 authority "$pa"
check authority_svc 0 --at 2026-11-01 authority "$svc"
check authority_missing 2 --at 2026-11-01 authority "$(id pz)"
check partner_missing 2 --at 2026-11-01 blast-radius "$(id pz)"
check not_a_partner 2 --at 2026-11-01 blast-radius "$svc"
check blast_all 0 --at 2026-11-01 blast-radius
check blast_one 0 --at 2026-11-01 blast-radius "$pa"
check explain 0 --at 2026-11-01 explain "$pa" "$db_"
check offboard 0 --at 2026-11-01 offboard "$pa"
check offboard_low 0 --at 2026-11-01 offboard "$pb" --min-sensitivity public
check whatif_revoke 0 --at 2026-11-01 what-if "$pa" --revoke "$key"
check whatif_grant 0 --at 2026-11-01 what-if "$pb" --grant "$svc -access[read]-> $db_" \
    --expires 2027-01-01
check whatif_edge 0 --at 2026-11-01 what-if "$pa" --revoke "$role|access|$db_"
check whatif_until 0 --at 2026-11-01 what-if --until 2027-06-01
check whatif_until_one 0 --at 2026-11-01 what-if "$pa" --until 2027-06-01
check findings "0 1" --at 2026-11-01 findings
check findings_partner "0 1" --at 2026-11-01 findings --partner "$pa"
check rules 0 rules
check paths 0 --at 2026-11-01 paths "$pa"
check paths_to 0 --at 2026-11-01 paths "$pa" --to "$db_"
check paths_none 0 --at 2026-11-01 paths "$pa" --to "$pb"
check delegation 0 --at 2026-11-01 delegation
check delegation_one 0 --at 2026-11-01 delegation "$pa"
check snapshot1 0 --at 2026-11-01 --snapshot 1 partners
mkdir -p "$WORK/demo"
cp "$fx/hostile-text.json" "$WORK/demo/estate.json"
check demo 0 --db "$WORK/demo.db" --at 2026-11-01 demo "$WORK/demo"
echo "$runs runs, no raw control"
