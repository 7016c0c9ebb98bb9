#!/usr/bin/env bash
# The MCP gateway: nginx in front of every mcp-front replica, round robin. At MCP 2026-07-28
# each request stands alone, so any replica answers it; handshake-era clients keep one
# replica per MCP session (ip_hash is not used: their Mcp-Session-Id lives in one replica,
# and a retry after a lost replica starts a new session, as the spec allows).
#
# The replicas are found by name through the engine's DNS on every request (a variable in
# proxy_pass), so `docker compose up --scale mcp-front=N` needs no restart here.
#   BMCP_GATEWAY_UPSTREAM  host:port of the replicas (mcp-front:8765)
#   BMCP_GATEWAY_LISTEN    port to listen on (8765)
#   BMCP_GATEWAY_CONF      where to write the configuration (/tmp/bmcp-gateway.conf)
#   BMCP_GATEWAY_PRINT=1   print the configuration and exit (tests check it with nginx -t)
set -euo pipefail

upstream="${BMCP_GATEWAY_UPSTREAM:-mcp-front:8765}"
listen="${BMCP_GATEWAY_LISTEN:-8765}"
conf="${BMCP_GATEWAY_CONF:-/tmp/bmcp-gateway.conf}"
# Docker's embedded DNS, Podman's aardvark or a cluster's: whatever the container was given.
resolver="$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)"
resolver="${resolver:-127.0.0.11}"
case "$resolver" in *:*) resolver="[$resolver]" ;; esac

cat > "$conf" <<CONF
worker_processes 1;
pid /tmp/bmcp-gateway.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path /tmp/bmcp-gateway-body;
  proxy_temp_path /tmp/bmcp-gateway-proxy;
  resolver $resolver valid=5s ipv6=off;
  server {
    listen $listen;
    location / {
      set \$replicas $upstream;
      proxy_pass http://\$replicas;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header Connection "";
      # Server-Sent Events (listen streams, progress) go out as they come.
      proxy_buffering off;
      proxy_read_timeout 3600s;
      # A replica that refuses the connection is skipped; a request already sent is not
      # replayed on another one (a tool call may have run).
      proxy_next_upstream error timeout;
    }
  }
}
CONF

if [ "${BMCP_GATEWAY_PRINT:-0}" = "1" ]; then
  cat "$conf"
  exit 0
fi
exec nginx -c "$conf" -g "daemon off;"
