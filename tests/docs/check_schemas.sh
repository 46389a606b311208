#!/bin/sh
# tests/docs/check_schemas.sh: every command's `--format json` output on the sample estate is valid
# against its JSON Schema in docs/schemas/ (docs/json.md). Needs python3-jsonschema: without it FAIL.
set -eu
authpath=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work/out"
cd "$src"

# Debian's python3-jsonschema installs for /usr/bin/python3; a python3 on PATH may have its own.
py=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
        py=$p
        break
    fi
done
if [ -z "$py" ]; then
    echo "FAIL: no python3 with jsonschema (Draft 2020-12): install python3-jsonschema (make deps)"
    exit 1
fi

db=$work/estate.db
"$authpath" --db "$db" import samples/estate.json 2> /dev/null
"$authpath" --db "$db" import tests/fixtures/diff/estate-q2.json 2> /dev/null
"$authpath" --db "$db" --snapshot 1 import tests/fixtures/usage/sample-events.csv 2> /dev/null
n=0
# run SCHEMA ARGS...: the command's JSON output, kept for the validator as SCHEMA.N.json
run() {
    schema=$1
    shift
    n=$((n + 1))
    if ! "$authpath" --db "$db" --at 2026-11-01 --format json "$@" > "$work/out/$schema.$n.json" \
            2> "$work/err"; then
        echo "FAIL: authpath $* exited non-zero:"
        cat "$work/err"
        exit 1
    fi
    printf '%s\n' "$*" > "$work/out/$schema.$n.args"
}
S="--snapshot 1"
# ids one a line from JSON (the sample's ids have no spaces or newlines)
ids() { "$py" -c 'import json, sys; d = json.load(sys.stdin); print("\n".join(eval(sys.argv[1])))' "$1"; }
partners=$("$authpath" --db "$db" --at 2026-11-01 $S partners --format json \
           | ids '[p["id"] for p in d["partners"]]')
[ -n "$partners" ] || { echo "FAIL: no partners in the sample estate"; exit 1; }

run snapshots snapshots
run inventory $S inventory
run inventory inventory --expiring 30
run partners $S partners
run partners partners --policy tests/fixtures/policy/full.json
run blast-radius $S blast-radius
run blast-radius $S blast-radius wingtip contoso
run rules rules
run findings $S findings
run findings findings --policy tests/fixtures/findings/policy-sample.json
run delegation $S delegation
run diff diff 1 2
run diff diff 1 2 --partner tailspin
run what-if $S what-if wingtip --grant 'svc-wingtip-orders -access[execute]-> payroll-run'
run what-if $S what-if adatum --revoke payroll-sftp-key
run what-if $S what-if --until 2027-06-01
run authority $S authority svc-order-sync
run authority $S authority wingtip --observed
run authority $S authority svc-wingtip-edi --observed --since 2026-10-02
run findings $S findings --since 2026-09-01
run what-if-narrow $S what-if wingtip --narrow-to-observed
run what-if-narrow $S what-if contoso --narrow-to-observed --since 2026-10-01
run paths $S paths tailspin --to payments-db
for p in $partners; do
    run authority $S authority "$p"
    run paths $S paths "$p"
    run delegation $S delegation "$p"
    run offboard $S offboard "$p"
    run what-if $S what-if "$p" --until 2026-11-16
    # explain the nearest and the farthest node the partner reaches
    for t in $("$authpath" --db "$db" --at 2026-11-01 $S authority "$p" --format json \
               | ids '[r["id"] for r in d["reach"]]' | sed -n '1p;$p'); do
        run explain $S explain "$p" "$t"
    done
done
# export writes OpenGraph with --format opengraph, not the global --format json
"$authpath" --db "$db" $S export --format opengraph > "$work/out/export-opengraph.$n.json"

# Every command whose --help offers json has a schema.
cmds=$("$authpath" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }')
missing=0
for c in $cmds; do
    if "$authpath" "$c" --help 2>&1 | grep -q -- '--format [a-z|]*json'; then
        [ -f "docs/schemas/$c.schema.json" ] || { echo "FAIL: no docs/schemas/$c.schema.json"; missing=1; }
        ls "$work/out/$c".*.json > /dev/null 2>&1 || { echo "FAIL: '$c' not run here"; missing=1; }
    fi
done

"$py" - "$src/docs/schemas" "$work/out" <<'PY' || missing=1
import glob, json, os, sys
from jsonschema import Draft202012Validator
schemas, out = sys.argv[1], sys.argv[2]
fail = 0
checked = {}
for path in sorted(glob.glob(os.path.join(schemas, "*.schema.json"))):
    name = os.path.basename(path)[:-len(".schema.json")]
    with open(path) as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    checked[name] = 0
    for doc in sorted(glob.glob(os.path.join(out, name + ".*.json"))):
        args = open(doc[:-5] + ".args").read().strip() if os.path.exists(doc[:-5] + ".args") \
            else "export --format opengraph"
        with open(doc) as f:
            try:
                value = json.load(f)
            except ValueError as e:
                print("FAIL: authpath %s: not JSON: %s" % (args, e))
                fail = 1
                continue
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        for e in errors[:5]:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print("FAIL: authpath %s: %s: %s (docs/schemas/%s.schema.json)"
                  % (args, where, e.message[:300], name))
        fail |= bool(errors)
        checked[name] += 1
    if checked[name] == 0:
        print("FAIL: docs/schemas/%s.schema.json: no output checked against it" % name)
        fail = 1
print("checked: " + ", ".join("%s %d" % kv for kv in checked.items()))
sys.exit(fail)
PY
exit $missing
