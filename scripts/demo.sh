#!/bin/sh
# scripts/demo.sh: what `make demo` runs after building: a fresh demo database, the sample
# estate imported, the partners ranked and the most dangerous path explained.
set -eu
bin=${1:-build/authpath}
db=$(dirname "$bin")/demo.db
rm -f "$db" "$db-wal" "$db-shm"
"$bin" --db "$db" demo "$(dirname "$0")/../samples"
echo
echo "The demo database is $db; try: $bin --db $db authority <partner>"
