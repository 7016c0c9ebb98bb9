"""Nobody gets in: each attack on a default install, as an attacker would try it, against the
real services. HTTP (DNS rebinding, no token, the dashboard's sign-in), the bus (another local
user, an unkeyed or unlisted peer on tcp://, forged broker records) and the addon link (a
program squatting the addon's port learns nothing)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2
import pytest
import zmq

from bus import BusClient
from proxy import CuttableProxy
from system import Process, dashboard_ticket, wait_for

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------- HTTP


def request(front, method, path, headers=None, **kwargs):
    return httpx2.request(method, front.url + path, headers=headers or {}, timeout=60, follow_redirects=False, **kwargs)


def code_of(response) -> str:
    return response.json()["error"]["code"]


def test_dns_rebinding_is_refused_before_any_route(system, front):
    """A page at evil.test that rebinds its name to 127.0.0.1 sends its own Host and Origin.
    Before: 201 for the session and 200 with "uid 0" for the code."""
    port = front.url.rsplit(":", 1)[1]
    evil = {"Host": f"evil.test:{port}", "Origin": f"http://evil.test:{port}"}
    created = request(front, "POST", "/api/sessions", headers={**evil, **front.auth}, json={"name": "x"})
    assert created.status_code == 421 and code_of(created) == "host_not_allowed", created.text
    assert "evil.test" in created.json()["error"]["message"]
    code = request(front, "POST", "/api/sessions/s-x/tools/execute_blender_code", headers=evil,
                   json={"code": "import os;print(os.getuid())"})
    assert code.status_code == 421 and "uid" not in code.text
    mcp = request(front, "POST", "/mcp", headers={**evil, "Content-Type": "application/json"}, content=b"{}")
    assert mcp.status_code == 421
    # Our own origin passes; a loopback origin on another port (another local web app) does not.
    assert request(front, "GET", "/api/sessions", headers={**front.auth, "Origin": front.url}).status_code == 200
    other = request(front, "GET", "/api/sessions", headers={**front.auth, "Origin": "http://127.0.0.1:3000"})
    assert other.status_code == 403 and code_of(other) == "origin_not_allowed"


def test_the_token_is_required_by_default_and_never_taken_from_a_url(front):
    for method, path in [("GET", "/api/sessions"), ("POST", "/mcp")]:
        refused = request(front, method, path, headers={"Content-Type": "application/json"}, content=b"{}" if method == "POST" else None)
        assert refused.status_code == 401 and code_of(refused) == "token_required", (path, refused.text)
    assert request(front, "GET", f"/api/sessions?token={front.token}").status_code == 401
    assert code_of(request(front, "GET", "/api/sessions", headers={"Authorization": "Bearer wrong"})) == "token_wrong"
    assert request(front, "GET", "/api/sessions", headers=front.auth).status_code == 200
    page = request(front, "GET", "/")
    assert page.status_code == 200 and front.token not in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_a_one_time_link_signs_a_browser_in_with_an_http_only_strict_cookie(front):
    ticket = dashboard_ticket(front.token)
    signed_in = request(front, "GET", f"/login?ticket={ticket}")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and front.token not in cookie
    value = cookie.split(";")[0]
    assert request(front, "GET", "/api/sessions", headers={"Cookie": value}).status_code == 200
    assert request(front, "POST", "/mcp", headers={"Cookie": value, "Content-Type": "application/json"}, content=b"{}").status_code == 401
    again = request(front, "GET", f"/login?ticket={ticket}")
    assert again.status_code == 401 and code_of(again) == "ticket_used"
    forged = request(front, "GET", f"/login?ticket={dashboard_ticket('not-the-token')}")
    assert forged.status_code == 401 and code_of(forged) == "ticket_invalid"
    expired = request(front, "GET", f"/login?ticket={dashboard_ticket(front.token, lifetime=-5)}")
    assert "expired" in expired.json()["error"]["message"]


def test_bmcp_dashboard_prints_a_link_that_works(system):
    """A front without --token makes its token file (0600, never logged); `bmcp dashboard`
    signs from that file."""
    env = {**system.env, "BMCP_TOKEN": ""}
    second = Process("mcp-front-file-token", [str(system.bin / "mcp-front"), "--http", "127.0.0.1:0"], env, system.logs)
    try:
        url = second.wait_for_line("BMCP_HTTP_READY", timeout=30).split()[-1]
        token_file = Path(system.env["BMCP_DATA"]) / "secrets" / "http.token"
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        assert oct(token_file.parent.stat().st_mode & 0o777) == "0o700"
        assert token_file.read_text().strip() not in second.text()  # the log names the file, never the token
        done = subprocess.run([str(system.bin / "bmcp"), "dashboard", "--http", url.removeprefix("http://")],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        link = done.stdout.strip()
        assert link.startswith(url + "/login?ticket=") and token_file.read_text().strip() not in link
        assert httpx2.get(link, follow_redirects=False, timeout=30).status_code == 303
    finally:
        assert second.stop() == 0


# -------------------------------------------------------------------------------------- bus


def run_as_nobody(code: str) -> subprocess.CompletedProcess:
    """Debian's python3 as another local user (uid 65534): it cannot read our venv under /root."""
    return subprocess.run(["/usr/bin/python3", "-c", code], preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)),
                          capture_output=True, text=True, timeout=60, cwd="/")


@pytest.mark.skipif(os.getuid() != 0 and not os.environ.get("CI"), reason="needs root to act as another user")
def test_another_local_user_cannot_reach_the_bus(system):
    """Before: a DEALER on tcp://127.0.0.1:5555 had code.execute run. Now the default endpoints
    are ipc:// sockets in a 0700 run folder: another user's connect(2) is refused outright
    (ZeroMQ's ipc transport is this unix socket)."""
    path = system.env["BMCP_BROKER_CLIENTS"].removeprefix("ipc://")
    assert oct(Path(path).parent.stat().st_mode & 0o777) == "0o700"
    probe = run_as_nobody(f"""
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect({path!r})
    print("CONNECTED")
except OSError as error:
    print("REFUSED", error.errno)
""")
    assert "REFUSED 13" in probe.stdout, probe.stdout + probe.stderr  # EACCES
    # The same connect as ourselves works: the refusal is the folder's doing, not a dead socket.
    mine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mine.connect(path)
    mine.close()


def test_default_endpoints_are_ipc_in_the_private_run_folder(system, tmp_path):
    """A broker started with no endpoint settings listens in BMCP_RUN, on no TCP port."""
    run = Path(tempfile.mkdtemp(prefix="bmcp-run-", dir="/tmp")) / "run"
    env = {k: v for k, v in system.env.items() if not k.startswith(("BMCP_BROKER_", "BMCP_EVENTS_"))}
    env.update(BMCP_RUN=str(run), BMCP_DATA=str(tmp_path / "data"))
    broker = Process("session-broker-defaults", [str(system.bin / "session-broker")], env, system.logs)
    try:
        line = broker.wait_for_line("session-broker listening", timeout=30)
        assert f"ipc://{run}/broker-clients" in line and "tcp://" not in line, line
        assert oct(run.stat().st_mode & 0o777) == "0o700"
        listening = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout
        assert f"pid={broker.popen.pid}," not in listening, listening
    finally:
        broker.stop()


def curve(sock: zmq.Socket, keys: Path, own: tuple[bytes, bytes] | None = None):
    """Makes `sock` a CURVE client of the installation in `keys` (own pair: a stranger's)."""
    public, secret = own or ((keys / "client.pub").read_text().strip().encode(), (keys / "client.key").read_text().strip().encode())
    sock.curve_serverkey = (keys / "server.pub").read_text().strip().encode()
    sock.curve_publickey, sock.curve_secretkey = public, secret


@pytest.fixture(scope="module")
def tcp_bus(system):
    """A broker and log-writer bound on tcp:// with CURVE, keys made by `bmcp keys`."""
    root = Path(tempfile.mkdtemp(prefix="bmcp-tcp-", dir="/tmp"))
    keys = root / "keys"
    made = subprocess.run([str(system.bin / "bmcp"), "keys"], env={**system.env, "BMCP_KEYS": str(keys)},
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    for name in ("server.key", "client.key", "authorized_clients"):
        assert oct((keys / name).stat().st_mode & 0o777) == "0o600", name
    ports = []
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    env = {**system.env, "BMCP_KEYS": str(keys), "BMCP_DATA": str(root / "data"),
           "BMCP_BROKER_CLIENTS": f"tcp://127.0.0.1:{ports[0]}", "BMCP_BROKER_WORKERS": f"tcp://127.0.0.1:{ports[1]}",
           "BMCP_EVENTS_IN": f"tcp://127.0.0.1:{ports[2]}", "BMCP_EVENTS_OUT": f"tcp://127.0.0.1:{ports[3]}",
           "BMCP_LOGS": f"tcp://127.0.0.1:{ports[4]}"}
    broker = Process("tcp-broker", [str(system.bin / "session-broker")], env, system.logs)
    broker.wait_for_line("session-broker listening", timeout=30)
    writer = Process("tcp-log-writer", [str(system.bin / "log-writer")], env, system.logs)
    writer.wait_for_line("log-writer writing to", timeout=30)
    yield {"env": env, "keys": keys, "root": root, "broker": broker, "writer": writer}
    writer.stop()
    broker.stop()


def test_an_unkeyed_or_unlisted_peer_on_tcp_is_refused_and_logged_once(tcp_bus):
    env, keys = tcp_bus["env"], tcp_bus["keys"]
    context = zmq.Context()
    friend = BusClient(env["BMCP_BROKER_CLIENTS"], "friend", context, keys=keys)
    assert friend.call("broker.health", timeout=10)["status"] == "ok"

    plain = context.socket(zmq.DEALER)  # what the attack used: no keys at all
    plain.setsockopt(zmq.LINGER, 0)
    plain.connect(env["BMCP_BROKER_CLIENTS"])
    plain.send(json.dumps({"v": 2, "id": "x", "kind": "request", "op": "code.execute", "params": {"code": "print(1)"}}).encode())
    assert not plain.poll(1500)

    stranger = context.socket(zmq.DEALER)  # CURVE, but a key nobody allow-listed
    stranger.setsockopt(zmq.LINGER, 0)
    curve(stranger, keys, own=zmq.curve_keypair())
    for _ in range(3):
        stranger.connect(env["BMCP_BROKER_CLIENTS"])
    stranger.send(json.dumps({"v": 2, "id": "y", "kind": "request", "op": "broker.health"}).encode())
    assert not stranger.poll(1500)
    refusals = [line for line in tcp_bus["broker"].text().splitlines() if "refused a bus connection from 127.0.0.1" in line]
    assert len([line for line in refusals if "unknown client key" in line]) == 1, refusals

    # READY as a bridge without keys: the broker never hears it.
    fake_bridge = context.socket(zmq.DEALER)
    fake_bridge.setsockopt(zmq.LINGER, 0)
    fake_bridge.connect(env["BMCP_BROKER_WORKERS"])
    fake_bridge.send(json.dumps({"v": 2, "id": "r", "kind": "ready", "params": {"bridge": "evil", "instances": [
        {"id": "evil/x:1", "blender_version": "3.4", "address": "x:1", "capacity": 1}]}}).encode())
    time.sleep(1)
    assert "bridge evil joined" not in tcp_bus["broker"].text()
    friend.close()
    for sock in (plain, stranger, fake_bridge):
        sock.close(0)


def forged_record(session: str, source: str) -> list[bytes]:
    event = {"v": 2, "id": "f", "kind": "event", "op": "command.completed", "session": session, "seq": 1, "source": source,
             "ts": "2026-01-01T00:00:00Z", "params": {"op": "code.execute", "tool": "execute_blender_code", "status": "ok"}}
    return [f"session/{session}".encode(), json.dumps(event).encode()]


def test_forged_broker_records_never_reach_the_logs(tcp_bus):
    """Before: a PUB on tcp://127.0.0.1:5557 made log-writer create sessions/s-forged/."""
    env, keys = tcp_bus["env"], tcp_bus["keys"]
    context = zmq.Context()
    unkeyed = context.socket(zmq.PUB)
    unkeyed.setsockopt(zmq.LINGER, 0)
    unkeyed.connect(env["BMCP_EVENTS_IN"])
    keyed = context.socket(zmq.PUB)  # an authenticated service lying about who it is
    keyed.setsockopt(zmq.LINGER, 0)
    curve(keyed, keys)
    keyed.connect(env["BMCP_EVENTS_IN"])
    watcher = context.socket(zmq.SUB)
    curve(watcher, keys)
    watcher.setsockopt(zmq.SUBSCRIBE, b"")
    watcher.connect(env["BMCP_EVENTS_OUT"])
    time.sleep(1)  # subscriptions travel up before anything is published
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        unkeyed.send_multipart(forged_record("s-forged", "session-broker/abcd"))
        keyed.send_multipart(forged_record("s-forged2", "session-broker/abcd"))
        keyed.send_multipart(forged_record("s-honest", "blender-bridge/abcd"))
        time.sleep(0.1)
    seen = set()
    while watcher.poll(200):
        seen.add(json.loads(watcher.recv_multipart()[-1]).get("session"))
    assert "s-honest" in seen, "the authenticated publisher's own event must pass the proxy"
    assert "s-forged" not in seen and "s-forged2" not in seen
    sessions = Path(env["BMCP_DATA"]) / "sessions"
    assert not (sessions / "s-forged").exists() and not (sessions / "s-forged2").exists() and not (sessions / "s-honest").exists()
    assert "dropped an event published as 'session-broker/abcd'" in tcp_bus["broker"].text()
    for sock in (unkeyed, keyed, watcher):
        sock.close(0)


# ------------------------------------------------------------------------------- addon link


class SquattingAddon:
    """Listens where an addon would and records every byte the bridge sends. `reply` answers
    the bridge's hello: "hello" (as an addon without a token) or "challenge" (a bad proof)."""

    def __init__(self, reply: str):
        self.reply = reply
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(2)
            try:
                header = conn.recv(4)
                body = conn.recv(struct.unpack(">I", header)[0]) if len(header) == 4 else b""
                self.received += header + body
                if self.reply == "hello":
                    frame = {"type": "hello", "protocol": 2, "server": "bmcp-addon", "blender_version": "9.9", "mode": "headless"}
                else:
                    frame = {"type": "challenge", "protocol": 2, "nonce": secrets.token_hex(32), "proof": "00" * 32}
                data = json.dumps(frame).encode()
                conn.sendall(struct.pack(">I", len(data)) + data)
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            finally:
                conn.close()

    def close(self):
        self.server.close()


@pytest.mark.parametrize("reply", ["hello", "challenge", "relay"])
def test_a_program_squatting_the_addon_port_learns_nothing(system, reply):
    """Before: the bridge sent its token in the hello to whatever listened on the port. A
    squatter relaying to another Blender of the same user (same token) gets a real proof, but
    for that Blender's port: the bridge refuses it too."""
    # The relay passes everything to the real addon and back, so its challenge carries a
    # real proof, for the other Blender's port.
    relay = reply == "relay"
    squatter = CuttableProxy(("127.0.0.1", system.addon_port)) if relay else SquattingAddon(reply)
    token = system.env["BMCP_ADDON_TOKEN"]
    bridge = Process(f"bridge-squatted-{reply}", [str(system.bin / "blender-bridge"), "--name", f"squatted-{reply}",
                                                  "--addon-port", str(squatter.port), "--log-level", "debug"],
                     system.env, system.logs)
    try:
        tried = (lambda: len(squatter.requests) >= 2) if relay else (lambda: squatter.connections >= 2)
        wait_for(tried, 30, "the bridge to try the squatter twice")
        text = bridge.text()
        assert ("without proving it holds the token" if reply == "hello" else "could not prove it holds the token") in text, text
        sent = b"".join(squatter.requests) if relay else bytes(squatter.received)
        assert token.encode() not in sent and b'"token"' not in sent
        assert b'"auth"' not in sent and b'"request"' not in sent  # no proof of ours, no command
        assert f"bridge squatted-{reply} joined" not in system.broker_log()
        assert token not in text, "the bridge's own log (at debug level) must not carry the token"
    finally:
        bridge.stop()
        squatter.close()
