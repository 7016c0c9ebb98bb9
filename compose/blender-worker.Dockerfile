# syntax=docker/dockerfile:1
# The Blender worker of Blender MCP v2: Debian's Blender (headless) running the addon
# (Addon/ at /opt/bmcp/Addon) plus the blender-bridge that serves it, started together by
# blender-worker.sh. One container = one Blender + one bridge, so
# `docker compose up --scale blender-bridge=N` gives N bridges, each with its own Blender.
#
#   docker build -f compose/blender-worker.Dockerfile -t blender-mcp/blender-worker .   (repo root)
#
# The build stage is a byte-for-byte copy of the one in swift.Dockerfile (Tests/Compose
# checks it): BuildKit then builds the Swift code once for both images instead of
# depending on the services image having been built first.

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

# Debian bookworm's blender is 3.4.1, the version the addon's tests run against; python3-numpy
# because its glTF exporter imports numpy and the package does not depend on it.
FROM ${BASE_IMAGE} AS runtime
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends blender python3-numpy libzmq5 libsqlite3-0 procps \
    && rm -rf /var/lib/apt/lists/*
# Same user and /data ownership as the services image, so both can write the shared volume.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/bmcp bmcp \
    && mkdir -p /data \
    && chown bmcp:bmcp /data
COPY --from=build /out/blender-bridge /out/bmcp /opt/bmcp/bin/
COPY Addon/serve.py /opt/bmcp/Addon/serve.py
COPY Addon/bmcp_addon /opt/bmcp/Addon/bmcp_addon
COPY --chmod=755 compose/blender-worker.sh /opt/bmcp/bin/blender-worker.sh
COPY --chmod=755 compose/healthcheck.sh /opt/bmcp/bin/healthcheck.sh
ENV PATH=/opt/bmcp/bin:$PATH \
    BMCP_ADDON_DIR=/opt/bmcp/Addon
USER bmcp
WORKDIR /home/bmcp
CMD ["blender-worker.sh"]
