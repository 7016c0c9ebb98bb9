# syntax=docker/dockerfile:1
# The MCP gateway of Blender MCP v2: Debian's nginx, round robin over the mcp-front replicas
# (compose/gateway.sh writes its configuration at start).
#
#   docker build -f compose/gateway.Dockerfile -t blender-mcp/gateway .   (from the repo root)
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/*
COPY --chmod=755 compose/gateway.sh /usr/local/bin/gateway.sh
COPY --chmod=755 compose/healthcheck.sh /usr/local/bin/healthcheck.sh
EXPOSE 8765
CMD ["gateway.sh"]
