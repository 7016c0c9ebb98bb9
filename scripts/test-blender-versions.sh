#!/usr/bin/env bash
# The addon suite (minus the GUI tests) on other Blender versions, as PyPI's bpy module
# (scripts/bpy-wheel.sh): by default the newest 4.2 LTS and 4.5 LTS. Not part of CI, which runs
# the suite on Debian's Blender 3.4 and on the newest 5.0 (scripts/test.sh). Each version needs
# about 1 GB for its venv (.venv-bpy-VERSION) and about 3 minutes.
#
#   scripts/test-blender-versions.sh [VERSION ...] [-- PYTEST ARGS]
#   scripts/test-blender-versions.sh 4.2 -- -x Addon/tests/test_ops_objects.py
#
# Runs every version even when one fails; exits 1 if any did, naming them.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do versions+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#versions[@]} -gt 0 ] || versions=(4.2 4.5)
[ $# -gt 0 ] || set -- Addon/tests

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt

failed=()
for version in "${versions[@]}"; do
  python=$(scripts/bpy-wheel.sh "$version")
  echo "== addon suite on Blender $("$python" -c 'import importlib.metadata as m; print(m.version("bpy"))') (bpy module, $python)"
  start=$SECONDS
  if BMCP_TEST_BPY_PYTHON="$python" .venv/bin/python -m pytest -q "$@" -m "not gui"; then
    echo "== Blender $version: passed in $((SECONDS - start)) s"
  else
    echo "== Blender $version: FAILED after $((SECONDS - start)) s"
    failed+=("$version")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-blender-versions: failed on ${failed[*]}" >&2
  exit 1
fi
