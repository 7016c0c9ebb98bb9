# syntax=docker/dockerfile:1
# The Swift services of Blender MCP v2 in one image: session-broker, log-writer,
# prompt-service, mcp-front, blender-bridge and the bmcp CLI (health checks use
# `bmcp call health`). Each compose service picks its executable with `command:`.
#
#   docker build -f compose/swift.Dockerfile -t blender-mcp/services .    (from the repo root)
#
# The build stage is kept byte-for-byte identical to the one in blender-worker.Dockerfile
# (Tests/Compose checks it), so BuildKit builds the Swift code once for both images.

# Base images are build arguments: the official ones by default; a machine that reaches no
# registry builds with its own (scripts/compose-images.sh --base localhost/bookworm:base).
ARG SWIFT_IMAGE=swift:6.1-bookworm
ARG BASE_IMAGE=debian:bookworm-slim
# source (default): the Swift build below, in SWIFT_IMAGE. host: release binaries built on the
# host (`swift build -c release --static-swift-stdlib`), put in compose/prebuilt/ by
# scripts/compose-images.sh --binaries host, so no Swift image is needed.
ARG BINARIES=source

# ---- build ------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build-source
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libzmq3-dev libsqlite3-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.resolved is not committed: the glob copies it when the checkout has one.
COPY Package.* ./
COPY Shared Shared
COPY Services Services
# SwiftPM checks that every declared target's folder exists, test targets included.
COPY Tests Tests
# .build lives in a cache mount shared by both Dockerfiles (locked: compose builds them in
# parallel), so the executables and SwiftPM's resource bundles (prompt-service's
# blender-mcp_PromptServiceCore.resources holds the prompt dictionary; Bundle.module
# looks for it next to the executable) are copied out to /out in the same step.
RUN --mount=type=cache,id=blender-mcp-swift-build,sharing=locked,target=/src/.build \
    swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /out \
    && for exe in session-broker log-writer prompt-service mcp-front blender-bridge bmcp; do \
         cp "$bin/$exe" /out/ && strip "/out/$exe" || exit 1; \
       done \
    && cp -R "$bin"/*.resources /out/ \
    && ls -l /out
# ---- end of build -----------------------------------------------------------------------

FROM ${BASE_IMAGE} AS build-host
COPY compose/prebuilt/ /out/

FROM build-${BINARIES} AS build

FROM ${BASE_IMAGE} AS runtime
# libzmq5: the ZeroMQ runtime; libsqlite3-0: GRDB (the broker's session registry);
# libcurl4: Foundation's networking, which mcp-front links (the Swift runtime itself is
# linked in statically); procps: pgrep for health checks and debugging.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libzmq5 libsqlite3-0 libcurl4 procps \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user; /data (the compose data volume) belongs to it, so a fresh named
# volume mounted there starts out owned by it too (the Blender worker image does the same).
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/bmcp bmcp \
    && mkdir -p /data \
    && chown bmcp:bmcp /data
COPY --from=build /out/ /opt/bmcp/bin/
COPY --chmod=755 compose/healthcheck.sh /opt/bmcp/bin/healthcheck.sh
ENV PATH=/opt/bmcp/bin:$PATH
USER bmcp
WORKDIR /home/bmcp
# No default command on purpose: every compose service names its executable.
CMD ["bmcp", "--help"]
