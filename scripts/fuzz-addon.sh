#!/usr/bin/env bash
# Fuzzes the addon's pure-Python input handling with atheris (Addon/tests/fuzz/fuzz_*.py):
# the v2 frame decoder, the V1 reader and request/greeting/session/param validation.
#
#   scripts/fuzz-addon.sh            20 s per target (what CI runs; also --ci)
#   scripts/fuzz-addon.sh 600        600 s per target
#
# Each target starts from its seed corpus (Tests/Fuzz/addon/<target>/, copied, so the repository
# is left alone) and the JSON dictionary. A crash stops that target, leaves the input under
# $FUZZ_ARTIFACTS (default /tmp/bmcp-fuzz-artifacts) and fails the script; turn the input into a
# unit test in Addon/tests before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
case "${1:-}" in
  "" | --ci) ;;
  *[!0-9]* | 0) echo "usage: $0 [--ci | SECONDS_PER_TARGET]" >&2; exit 2 ;;
  *) seconds=$1 ;;
esac

python=.venv/bin/python
if [ ! -x "$python" ]; then python3 -m venv .venv; fi
if ! "$python" -c "import atheris" 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check atheris==3.0.0
fi

artifacts=${FUZZ_ARTIFACTS:-/tmp/bmcp-fuzz-artifacts}
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
# target:max_len (inputs long enough for what a limit or a parser treats specially)
for entry in framing:12000 v1_reader:12000 requests:8192; do
  target=${entry%%:*}
  max_len=${entry##*:}
  mkdir -p "$work/$target"
  cp Tests/Fuzz/addon/"$target"/* "$work/$target/"
  log="$work/$target.log"
  status=0
  "$python" Addon/tests/fuzz/fuzz_"$target".py \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -dict=Tests/Fuzz/addon/json.dict -artifact_prefix="$artifacts/$target-" \
    "$work/$target" >"$log" 2>&1 || status=$?
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || true)
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "fuzz_$target: CRASH (exit $status); input in $artifacts/$target-*"
    grep -E -A25 'Uncaught Python exception|AssertionError|==ERROR' "$log" | head -40 || tail -40 "$log"
  else
    echo "fuzz_$target: ${runs:-?} runs in ${seconds} s, no crash"
  fi
done
exit "$failed"
