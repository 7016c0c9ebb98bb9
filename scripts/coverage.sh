#!/usr/bin/env bash
# One merged Swift line-coverage report for the whole test run: the unit tests' profile and
# one pooled profile per executable that the end-to-end, conformance and compose-free suites
# started (scripts/test.sh exports LLVM_PROFILE_FILE into test-artifacts/profiles/ and builds
# with --enable-code-coverage, so this needs no second build). Prints the total and every
# source file under 80 %; writes test-artifacts/coverage-swift.txt. Then the addon's, by
# scripts/coverage-addon.sh.
#
#   scripts/coverage.sh [--min-file 80]
set -euo pipefail
cd "$(dirname "$0")/.."

min_file=80
[ "${1:-}" = "--min-file" ] && min_file=$2

bin=$(swift build --show-bin-path --enable-code-coverage)
tools=$(dirname "$(command -v swift)")
profdata=$tools/llvm-profdata
cov=$tools/llvm-cov
for tool in "$profdata" "$cov"; do
    [ -x "$tool" ] || { echo "coverage.sh: $tool is missing (it comes with the Swift toolchain)" >&2; exit 2; }
done

shopt -s nullglob
profiles=(test-artifacts/profiles/*.profraw "$bin"/codecov/*.profraw)
[ ${#profiles[@]} -gt 0 ] || { echo "coverage.sh: no profiles found: run scripts/test.sh first" >&2; exit 2; }
merged=test-artifacts/coverage.profdata
# A pooled profile is rewritten in place by every process that exits; one killed (kill -9,
# a harness deadline) in the middle of that write leaves a damaged pool. Its runs are lost to
# the report, but the rest still counts: skip it, say so, and fail only if nothing merges.
merge_log=test-artifacts/coverage-merge.log
if ! "$profdata" merge -sparse --failure-mode=all "${profiles[@]}" -o "$merged" 2> "$merge_log"; then
    cat "$merge_log" >&2
    echo "coverage.sh: none of the ${#profiles[@]} profiles could be merged" >&2
    exit 1
fi
damaged=$( { grep -o '[^ ]*\.profraw:' "$merge_log" || true; } | sort -u | wc -l)
if [ "$damaged" -gt 0 ]; then
    echo "Skipped $damaged damaged profile(s) of ${#profiles[@]} (details: $merge_log):"
    grep '\.profraw:' "$merge_log" | sort -u | sed 's/^/  /'
fi

objects=()
for name in mcp-front session-broker blender-bridge log-writer prompt-service bmcp; do
    [ -x "$bin/$name" ] && objects+=(-object "$bin/$name")
done
for bundle in "$bin"/*.xctest; do objects+=(-object "$bundle"); done
report=test-artifacts/coverage-swift.txt
"$cov" report "${objects[@]:1}" -instr-profile "$merged" \
    -ignore-filename-regex '(\.build|Tests|checkouts)/' > "$report"

total=$(awk '$1 == "TOTAL" { print $10 }' "$report")
echo "Swift line coverage, unit and end-to-end tests merged: $total (report: $report)"
echo "Files under $min_file % of lines:"
awk -v min="$min_file" 'NR > 2 && $1 != "TOTAL" && $10 ~ /%$/ { pct = $10; sub("%", "", pct); if (pct + 0 < min) printf "  %6s  %s\n", $10, $1 }' "$report" | sort -n

# The addon: coverage.py data from every Blender the Python suites started, merged likewise.
scripts/coverage-addon.sh --min-file "$min_file"
