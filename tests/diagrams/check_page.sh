#!/bin/sh
# tests/diagrams/check_page.sh: large diagrams are cut down to a page. Renders the cloudsplaining
# AWS partner's paths and offboarding diagrams (tests/data/real/cloudsplaining/example.json, a
# 538-node reach) and two sample diagrams as SVG, and checks each with check_page.py: it fits
# A3 with no text under 8 pt, no two labels overlap, no cylinder rim strikes its text, no edge
# label sits on a cluster border. Usage: check_page.sh AUTHPATH SOURCE_DIR WORK_DIR
set -eu
ap=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
db=$work/cs.db
"$ap" --db "$db" import "$src/tests/data/real/cloudsplaining/example.json" >/dev/null
"$ap" --db "$work/samples.db" import "$src/samples/estate.json" >/dev/null
partner=aws:072528804237
for cmd in paths offboard; do
    "$ap" --db "$db" --at 2026-11-01 "$cmd" "$partner" --format svg > "$work/cs-$cmd.svg"
done
"$ap" --db "$work/samples.db" --at 2026-11-01 offboard wingtip --format svg > "$work/wingtip-offboard.svg"
"$ap" --db "$work/samples.db" --at 2026-11-01 paths tailspin --format svg > "$work/tailspin-paths.svg"
# the large ones were cut down, and say so
for cmd in paths offboard; do
    grep -q 'cut down to an A3 page' "$work/cs-$cmd.svg" \
        || { echo "cs-$cmd.svg: no note that it was cut down"; exit 1; }
done
python3 "$src/tests/diagrams/check_page.py" "$work"/*.svg
