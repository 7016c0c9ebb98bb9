#!/usr/bin/env bash
# Installs what Blender MCP v2 needs from the system's packages (Debian/Ubuntu): libzmq to
# build and run the services, Blender to model in, Xvfb for the GUI-mode tests.
# Installs only what is missing; says exactly what it cannot do.
set -euo pipefail

# With --tests also what only the test suite needs: headless Chromium and its driver for the
# dashboard test, docker-compose to validate compose/docker-compose.yml and, with Podman, to
# run it; nginx for the replica tests.
missing=()
pkg-config --exists libzmq 2>/dev/null || missing+=(libzmq3-dev pkg-config)
command -v blender >/dev/null 2>&1 || [ -n "${BLENDER:-}" ] || missing+=(blender)
# Debian's Blender runs on the system Python and does not depend on numpy, yet its glTF
# exporter (export_scene to gltf/glb) imports it: install python3-numpy beside it. That is the
# Blender used when none is on PATH yet (we install Debian's) or the one found is /usr/bin's.
blender_path="${BLENDER:-$(command -v blender 2>/dev/null || true)}"
[ -z "$blender_path" ] || blender_path="$(command -v "$blender_path" 2>/dev/null || echo "$blender_path")"
if [ -z "$blender_path" ] || [ "$blender_path" = /usr/bin/blender ] || [ "$(readlink -f "$blender_path")" = /usr/bin/blender ]; then
  /usr/bin/python3 -c "import numpy" 2>/dev/null || missing+=(python3-numpy)
fi
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # The cross-host test makes network namespaces; the access test reads listening ports with ss.
  command -v ip >/dev/null 2>&1 && command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  # The replica test puts nginx in front of mcp-front replicas; the gateway test checks its
  # configuration with nginx -t.
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  # The live compose test: Podman (runc, catatonit for `init: true`, netavark networks with
  # aardvark DNS) driven by docker-compose, and debootstrap for a base image without a registry.
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)
  [ -x /usr/lib/podman/netavark ] || missing+=(netavark)
  [ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
  # netavark runs iptables for every container it starts ("netavark: No such file or directory").
  [ -x /usr/sbin/iptables ] || command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  # Static release binaries for those images link Foundation's networking, which needs curl.
  [ -e /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -e /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]} with apt-get" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: no apt-get here. Install these yourself: ${missing[*]} (libzmq dev headers, Blender 3.4+, Xvfb; for the tests Chromium, chromedriver, docker-compose, iproute2); then run again." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "bootstrap: not root and no sudo. Run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
