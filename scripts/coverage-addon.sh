#!/usr/bin/env bash
# The addon's line coverage, measured by coverage.py inside every Blender the Python suites
# started: scripts/test.sh exports ADDON_COVERAGE_DIR=test-artifacts/addon-coverage, which
# Addon/serve.py and Addon/tests/gui_start.py read, and each Blender leaves one .coverage.*
# there. Merges them into one report naming files as they are in Addon/, prints the total and
# every file under 80 %; writes test-artifacts/coverage-addon.txt. Run by scripts/coverage.sh.
#
#   scripts/coverage-addon.sh [--min-file 80]
set -euo pipefail
cd "$(dirname "$0")/.."

min_file=80
[ "${1:-}" = "--min-file" ] && min_file=$2

data=$PWD/test-artifacts/addon-coverage
shopt -s nullglob
parts=("$data"/.coverage.*)
if [ ${#parts[@]} -eq 0 ]; then
    echo "Addon coverage: not measured in this run (nothing in test-artifacts/addon-coverage: ADDON_COVERAGE_DIR was not set)"
    exit 0
fi
python=$PWD/.venv/bin/python
# Not in $data: `coverage report` merges (and deletes) the parts it finds beside its data file.
merged=$PWD/test-artifacts/coverage-addon.data
report=$PWD/test-artifacts/coverage-addon.txt
# --keep: the parts stay, so a second run of this script reports the same. A part that cannot
# be read (a Blender killed while saving) is skipped with a warning by coverage itself.
"$python" -m coverage combine --quiet --keep --data-file="$merged" "${parts[@]}"
# From Addon/, so files are named bmcp_addon/…; tests/ (fuzz/ is inside it) is not the addon.
(cd Addon && "$python" -m coverage report --data-file="$merged" --omit='tests/*' --precision=1) > "$report"

total=$(awk '$1 == "TOTAL" { print $NF }' "$report")
echo "Addon line coverage inside Blender, every suite's Blenders merged: $total (report: test-artifacts/coverage-addon.txt)"
echo "Addon files under $min_file % of lines:"
awk -v min="$min_file" '$NF ~ /%$/ && $1 != "TOTAL" && $1 != "Name" { pct = $NF; sub("%", "", pct); if (pct + 0 < min) printf "  %6s  %s\n", $NF, $1 }' "$report" | sort -n
