#!/usr/bin/env bash
# The whole test suite: Swift unit and integration tests, the addon's tests inside real
# Blender (headless and GUI under Xvfb; headless again on Blender 5.0), and end-to-end tests
# with the official Python MCP client. scripts/test-blender-versions.sh (not run here) runs the
# addon suite on Blender 4.2 and 4.5.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh --tests
# Built once with coverage: the unit tests and every service the suites below start write
# profiles (one pooled file per executable), merged by scripts/coverage.sh at the end.
rm -rf test-artifacts/profiles
mkdir -p test-artifacts/profiles
export LLVM_PROFILE_FILE="$PWD/test-artifacts/profiles/%4m.profraw"
# The addon's coverage.py data, one file per Blender the Python suites start (see below).
rm -rf test-artifacts/addon-coverage
mkdir -p test-artifacts/addon-coverage
swift build --enable-code-coverage
swift test --enable-code-coverage
# The wire parsers under libFuzzer, about a minute (scripts/fuzz.sh alone runs longer).
scripts/fuzz.sh --ci

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt
# mcp 1.x, the handshake-era client of the conformance matrix, cannot share .venv with mcp 2.x.
if [ ! -x .venv-mcp1/bin/python ]; then python3 -m venv .venv-mcp1; fi
.venv-mcp1/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/Conformance/requirements-mcp1.txt
# The addon's input handling under atheris, about a minute (scripts/fuzz-addon.sh alone runs longer).
scripts/fuzz-addon.sh --ci

# Every benchmark, briefly, so none rots (numbers are not checked; scripts/bench.sh measures).
BMCP_BIN_DIR="$PWD/.build/debug" .venv/bin/python Tests/Benchmarks/run.py --smoke

# From here on every Blender started through Addon/serve.py (headless: the addon suite, the
# end-to-end suites, `bmcp up`) or Addon/tests/gui_start.py (GUI under Xvfb) measures the addon
# with coverage.py, which Blender's own Python finds in .venv. Not measured: the Blenders of
# Tests/EndToEnd/test_connect_own_blender.py and test_install_addon.py, which run the add-on as
# `bmcp install-addon` installed it, loaded by Blender itself with no script of ours that could
# start coverage.py. Set after the benchmarks: their Blenders stay untraced.
export ADDON_COVERAGE_DIR="$PWD/test-artifacts/addon-coverage"
ADDON_COVERAGE_LIB=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
export ADDON_COVERAGE_LIB
# Separate runs: each suite has its own conftest module and root.
.venv/bin/python -m pytest Addon/tests "$@"
# The addon suite again on the newest Blender 5.0, PyPI's bpy module (Blender as a Python
# module, headless; scripts/bpy-wheel.sh keeps its venv and wheel between runs). The module has
# no GUI: the tests marked gui are deselected, as the last -m says. About 3 minutes.
bpy5=$(scripts/bpy-wheel.sh 5.0)
BMCP_TEST_BPY_PYTHON="$bpy5" .venv/bin/python -m pytest Addon/tests "$@" -m "not gui"
.venv/bin/python -m pytest Tests/DictionaryCheck Tests/Compose Tests/EndToEnd "$@"
# The end-to-end tests that drive the most tools (core, every toolset's sample, architecture)
# with their Blender on 5.0. About 30 s.
BMCP_TEST_BPY_PYTHON="$bpy5" .venv/bin/python -m pytest Tests/EndToEnd/test_walking_skeleton.py \
  Tests/EndToEnd/test_toolsets.py Tests/EndToEnd/test_architecture_prompts.py Tests/EndToEnd/test_design_document.py "$@"
.venv/bin/python -m pytest Tests/Conformance "$@"

# One merged Swift coverage report (unit + end-to-end) and one of the addon (coverage.py in every
# Blender above), each naming every file under 80 %.
scripts/coverage.sh
