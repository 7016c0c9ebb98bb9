#!/usr/bin/env bash
# Builds the three images compose/docker-compose.yml runs (services, blender-worker, gateway)
# from a clean context: the checkout's files (tracked, and untracked ones not ignored), never
# .build or .venv. `docker compose up --build` does the same with BuildKit; this is for
# engines and machines where that is not the way:
#
#   scripts/compose-images.sh                                   # docker, Swift built in the image
#   scripts/compose-images.sh --engine podman                   # the same with Podman
#   scripts/compose-images.sh --engine podman --binaries host --base localhost/bookworm:base
#       # no registry needed: release binaries built here (--static-swift-stdlib) and a base
#       # image made with debootstrap (scripts/debian-base-image.sh)
#
# Then `docker compose -f compose/docker-compose.yml up --no-build` (or docker-compose with
# DOCKER_HOST pointing at `podman system service`) starts them. Prints each image's size.
set -euo pipefail
cd "$(dirname "$0")/.."

engine=""
binaries=source
base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine="$2"; shift 2 ;;
    --binaries) binaries="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "compose-images.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$engine" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
command -v "$engine" >/dev/null || { echo "compose-images.sh: '$engine' is not installed" >&2; exit 1; }
case "$binaries" in source|host) ;; *) echo "compose-images.sh: --binaries is source or host, got '$binaries'" >&2; exit 2 ;; esac

context="$(mktemp -d /tmp/bmcp-image-context.XXXXXX)"
trap 'rm -rf "$context"' EXIT
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
  [ -e "$path" ] && printf '%s\0' "$path"
done | tar --null -T - -cf - | tar -C "$context" -xf -

if [ "$binaries" = host ]; then
  scratch=.build-static
  # One Swift build at a time on this machine (2 cores): wait for any other to finish.
  lock=()
  command -v flock >/dev/null && lock=(flock /tmp/bmcp-swift-build.lock)
  "${lock[@]}" swift build -c release --static-swift-stdlib --scratch-path "$scratch"
  bin="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)"
  mkdir -p "$context/compose/prebuilt"
  for exe in session-broker log-writer prompt-service mcp-front blender-bridge bmcp; do
    # Symbols are most of a static binary's size; nothing in an image reads them.
    cp "$bin/$exe" "$context/compose/prebuilt/" && strip "$context/compose/prebuilt/$exe"
  done
  cp -R "$bin"/*.resources "$context/compose/prebuilt/"
fi

args=(--build-arg "BINARIES=$binaries")
[ -n "$base" ] && args+=(--build-arg "BASE_IMAGE=$base")
runtime=()
[ "$engine" = podman ] && runtime=(--runtime runc)

build() {  # dockerfile image
  local started=$SECONDS
  "$engine" "${runtime[@]}" build -q -f "$context/compose/$1" "${args[@]}" -t "$2" "$context" >/dev/null
  echo "built $2 in $((SECONDS - started)) s, $("$engine" image inspect --format '{{.Size}}' "$2" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}
build swift.Dockerfile blender-mcp/services:local
build blender-worker.Dockerfile blender-mcp/blender-worker:local
build gateway.Dockerfile blender-mcp/gateway:local
