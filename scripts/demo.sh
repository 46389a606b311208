#!/bin/sh
# scripts/demo.sh: what `make demo` runs after building the command: a fresh demo database
# beside it (build/demo.db), the sample estate imported, the partners ranked and the most
# dangerous path explained. README.md's tour goes on from there with the same database.
set -eu
bin=${1:-build/authpath}
dir=$(cd "$(dirname "$bin")" && pwd)
db=$dir/demo.db
rm -f "$db" "$db-wal" "$db-shm"
"$bin" --db "$db" demo "$(dirname "$0")/../samples"
echo
echo "The demo database is $db. The README's tour goes on with"
echo "  export PATH=$dir:\$PATH AUTHPATH_DB=$db"
echo "  authpath --at 2026-11-01 authority wingtip"
