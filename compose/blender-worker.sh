#!/usr/bin/env bash
# Entry point of the `blender-bridge` compose service: one headless Blender running the
# addon plus the blender-bridge that serves it to the session-broker, in ONE container, so
# `docker compose up --scale blender-bridge=N` gives every bridge its own Blender.
#
#   blender-worker.sh [extra blender-bridge flags...]
#
# 1. starts `blender -b --factory-startup --python $BMCP_ADDON_DIR/serve.py` listening on
#    127.0.0.1 only (nothing outside this container needs the addon's port: it runs any
#    Python it is sent), with Blender's output passed through to the container's stdout;
# 2. waits for the addon's `BMCP_ADDON_READY host:port` line (BLENDER_READY_TIMEOUT s);
# 3. starts blender-bridge against 127.0.0.1:$BMCP_ADDON_PORT, named after the container;
# 4. on SIGTERM/SIGINT stops the bridge first (it tells the broker DISCONNECT, so no new
#    command is routed here), then Blender (the addon stops cleanly on SIGTERM);
# 5. if either process dies on its own, stops the other and exits non-zero, so the
#    container's restart policy brings back a Blender and its bridge together.
#
# It supervises both processes instead of exec'ing blender-bridge: after an exec nothing
# would forward SIGTERM to Blender or notice Blender dying.
# BMCP_DATA, BMCP_ADDON_TOKEN, BMCP_ALLOW_CODE, ... reach both processes from the environment.
set -uo pipefail

blender_bin="${BLENDER:-blender}"
addon_dir="${BMCP_ADDON_DIR:-/opt/bmcp/Addon}"
addon_port="${BMCP_ADDON_PORT:-9876}"
ready_timeout="${BLENDER_READY_TIMEOUT:-120}"
ready_file="${BMCP_WORKER_READY_FILE:-/tmp/bmcp-addon-ready}"

say() { printf 'blender-worker: %s\n' "$*" >&2; }

# The addon handshake's secret, shared by this container's Blender and bridge only.
if [ -z "${BMCP_ADDON_TOKEN:-}" ]; then
    BMCP_ADDON_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
    export BMCP_ADDON_TOKEN
fi

# A restarted container keeps its /tmp: never trust a READY marker from a previous run.
rm -f "$ready_file"

blender_pid=""
bridge_pid=""
stopping=0

stop_all() {
    stopping=1
    if [ -n "$bridge_pid" ] && kill -0 "$bridge_pid" 2>/dev/null; then
        kill -TERM "$bridge_pid" 2>/dev/null
        wait "$bridge_pid" 2>/dev/null
    fi
    if [ -n "$blender_pid" ] && kill -0 "$blender_pid" 2>/dev/null; then
        kill -TERM "$blender_pid" 2>/dev/null
        wait "$blender_pid" 2>/dev/null
    fi
    rm -f "$ready_file"
}

on_signal() {
    say "stopping blender-bridge, then Blender"
    stop_all
    exit 0
}
trap on_signal TERM INT

# Blender's stdout and stderr go through a small reader that passes every line on as it
# comes and drops the READY marker file at the addon's READY line. $! is Blender itself.
# (Not awk: Debian's mawk reads a pipe in blocks, so the line would arrive only at exit.)
pass_through() {
    local line seen=0
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s\n' "$line"
        if [ "$seen" -eq 0 ] && [[ "$line" == "BMCP_ADDON_READY "* ]]; then
            seen=1
            : > "$ready_file"
        fi
    done
}
"$blender_bin" -b --factory-startup --python "$addon_dir/serve.py" -- --host 127.0.0.1 --port "$addon_port" \
    > >(pass_through) 2>&1 &
blender_pid=$!

waited=0
until [ -e "$ready_file" ]; do
    if ! kill -0 "$blender_pid" 2>/dev/null; then
        wait "$blender_pid"
        status=$?
        say "Blender exited with status $status before the addon printed BMCP_ADDON_READY"
        exit $(( status == 0 ? 1 : status ))
    fi
    if [ "$waited" -ge $(( ready_timeout * 5 )) ]; then
        say "the addon did not print BMCP_ADDON_READY within ${ready_timeout} s; stopping Blender"
        stop_all
        exit 1
    fi
    sleep 0.2
    waited=$(( waited + 1 ))
done
say "addon ready; starting blender-bridge"

blender-bridge --addon-host 127.0.0.1 --addon-port "$addon_port" --name "blender-bridge/${HOSTNAME:-worker}" "$@" &
bridge_pid=$!

# Whichever exits first ends the container (a signal interrupts this wait and runs on_signal).
wait -n "$blender_pid" "$bridge_pid"
status=$?
if [ "$stopping" -eq 0 ]; then
    if kill -0 "$bridge_pid" 2>/dev/null; then what="Blender"; else what="blender-bridge"; fi
    say "$what exited with status $status; stopping the other and exiting"
    stop_all
    exit $(( status == 0 ? 1 : status ))
fi
