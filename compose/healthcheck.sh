#!/usr/bin/env bash
# Health checks of the compose services, as one word each, so no engine has to keep a shell
# command in one piece (Podman's Docker-compatible API splits `bash -c "a && b"` on spaces,
# which turned these checks into `bash -c test` — always failing — or `bash -c exec` — always
# passing).
#
#   healthcheck.sh tcp PORT    something accepts connections on 127.0.0.1:PORT
#   healthcheck.sh worker      the addon printed BMCP_ADDON_READY (blender-worker.sh's
#                              marker) and both Blender and blender-bridge are running
set -uo pipefail

case "${1:-}" in
  tcp)
    exec 3<>"/dev/tcp/127.0.0.1/${2:?healthcheck.sh tcp PORT}" ;;
  worker)
    test -e "${BMCP_WORKER_READY_FILE:-/tmp/bmcp-addon-ready}" \
      && pgrep -x blender >/dev/null \
      && pgrep -x blender-bridge >/dev/null ;;
  *)
    echo "healthcheck.sh: say 'tcp PORT' or 'worker', got '$*'" >&2
    exit 2 ;;
esac
