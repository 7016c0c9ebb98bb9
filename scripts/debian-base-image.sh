#!/usr/bin/env bash
# Makes a Debian bookworm base image without any image registry: debootstrap a minimal root
# from Debian's own mirror, then import it. For machines that reach Debian's packages but no
# registry (the images' BASE_IMAGE build argument then names it).
#
#   scripts/debian-base-image.sh [--engine podman|docker] [--tag localhost/bookworm:base]
#
# Does nothing when the image is already there. Takes ~40 s.
set -euo pipefail

engine=podman
tag=localhost/bookworm:base
mirror="${BMCP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    *) echo "debian-base-image.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if "$engine" image exists "$tag" 2>/dev/null || "$engine" image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag is there"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debian-base-image.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
root="$(mktemp -d /tmp/bmcp-bookworm-root.XXXXXX)"
trap 'rm -rf "$root"' EXIT
started=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
# No package lists or caches in the image: every Dockerfile runs apt-get update first.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | "$engine" import - "$tag" >/dev/null
echo "made $tag in $((SECONDS - started)) s"
