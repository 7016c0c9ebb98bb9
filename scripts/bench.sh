#!/usr/bin/env bash
# Release build, then every benchmark; results go to BENCHMARKS.md. `--smoke` runs each one
# briefly (CI does, so they never rot) and leaves BENCHMARKS.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
swift build -c release
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt

export BMCP_BIN_DIR="$PWD/.build/release"
if [ "${1:-}" = "--smoke" ]; then
  .venv/bin/python Tests/Benchmarks/chain_bench.py --smoke
else
  .venv/bin/python Tests/Benchmarks/chain_bench.py --out BENCHMARKS.md "$@"
fi
