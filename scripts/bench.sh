#!/usr/bin/env bash
# Release build, then every benchmark (Tests/Benchmarks/run.py); results go to BENCHMARKS.md.
# `--smoke` runs each one briefly (CI does, so they never rot) and leaves BENCHMARKS.md alone;
# it fails only if a benchmark crashes, never on a time. Extra arguments go to the runner
# (e.g. `--only chain,memory`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
swift build -c release
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt

export BMCP_BIN_DIR="$PWD/.build/release"
if [ "${1:-}" = "--smoke" ]; then
  shift
  exec .venv/bin/python Tests/Benchmarks/run.py --smoke "$@"
fi
exec .venv/bin/python Tests/Benchmarks/run.py --out BENCHMARKS.md "$@"
