#!/usr/bin/env bash
# A Python with PyPI's `bpy` (Blender as a Python module, headless) of one Blender version, for
# running the addon's tests on a Blender that Debian does not ship. Prints that Python's path on
# stdout (pip's progress goes to stderr):
#
#   scripts/bpy-wheel.sh 5.0      # the newest 5.0.x
#   scripts/bpy-wheel.sh 4.5.3    # exactly 4.5.3
#   BMCP_TEST_BPY_PYTHON=$(scripts/bpy-wheel.sh 5.0) .venv/bin/python -m pytest Addon/tests -m "not gui"
#
# The venv is .venv-bpy-VERSION in the repository (gitignored), made once and reused. The
# wheels (~400 MB each) are kept between runs and clones in ${BMCP_BPY_WHEELS:-~/.cache/bmcp/bpy-wheels}:
# pip's own HTTP cache in ~/.cache/pip did not keep them here (it stayed empty after two
# downloads), so a fresh clone, as CI has, would otherwise download the wheel every run. Each
# run asks the index which version is the newest of a series (a second or so); with no index
# reachable, a venv that already has a bpy of the series is used as it is.
#
# The wheels of Blender 4.2 to 5.0 are built for CPython 3.11 only: python3.11, or python3 if it
# is 3.11, makes the venv (BMCP_BPY_BASE_PYTHON=PATH chooses another).
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: scripts/bpy-wheel.sh VERSION (a series such as 5.0 for its newest release, or an exact 4.5.3)}
case $version in
  [0-9]*.[0-9]*.[0-9]*) spec="bpy==$version" ;;
  [0-9]*.[0-9]*) spec="bpy==$version.*" ;;
  *) echo "bpy-wheel: VERSION must look like 5.0 or 5.0.1, got '$version'" >&2; exit 2 ;;
esac
venv=$PWD/.venv-bpy-$version
wheels=${BMCP_BPY_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/bmcp/bpy-wheels}
python=$venv/bin/python

installed() {  # the bpy version in the venv, or nothing
  [ -x "$python" ] && "$python" -c 'import importlib.metadata as m; print(m.version("bpy"))' 2>/dev/null || true
}

matches() {  # does installed version $1 belong to the requested $version?
  case $1 in "$version" | "$version".*) return 0 ;; *) return 1 ;; esac
}

if [ ! -x "$python" ]; then
  base=${BMCP_BPY_BASE_PYTHON:-}
  if [ -z "$base" ]; then
    for candidate in python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 &&
         [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = 3.11 ]; then
        base=$(command -v "$candidate"); break
      fi
    done
  fi
  if [ -z "$base" ]; then
    echo "bpy-wheel: no CPython 3.11 found (PyPI's bpy wheels need it): install python3.11 or set BMCP_BPY_BASE_PYTHON" >&2
    exit 1
  fi
  echo "bpy-wheel: making $venv with $base" >&2
  "$base" -m venv "$venv"
fi

mkdir -p "$wheels"
# Into the wheel folder: the newest matching bpy and its dependencies, each only if not there yet.
if ! "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$wheels" "$spec" >&2; then
  have=$(installed)
  if [ -n "$have" ] && matches "$have"; then
    echo "bpy-wheel: could not ask the index for $spec; using the installed bpy $have" >&2
    echo "$python"
    exit 0
  fi
  echo "bpy-wheel: could not download $spec" >&2
  exit 1
fi
# From the folder only: the newest it has of the series (what was just found), or nothing to do.
"$python" -m pip install --quiet --disable-pip-version-check --no-index --find-links "$wheels" --upgrade "$spec" >&2

have=$(installed)
if [ -z "$have" ] || ! matches "$have"; then
  echo "bpy-wheel: the venv has bpy '${have:-none}', not $version" >&2
  exit 1
fi
# Asked for a series: its older wheels are not needed again.
if [ "$spec" = "bpy==$version.*" ]; then
  for wheel in "$wheels"/bpy-"$version".*.whl; do
    [ -e "$wheel" ] || continue
    case $(basename "$wheel") in
      bpy-"$have"-*) ;;
      *) echo "bpy-wheel: removing the older $(basename "$wheel")" >&2; rm -f "$wheel" ;;
    esac
  done
fi
echo "$python"
