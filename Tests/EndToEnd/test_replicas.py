"""Stateless HTTP that scales: three mcp-front replicas behind Debian's nginx (round robin),
one official client at MCP 2026-07-28 whose successive calls land on different replicas and
keep working on one Blender session, and a replica killed mid-run costing that client at
most one retried call."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

import anyio
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from mcp_clients import text_of
from system import HTTPFront, Process

pytestmark = pytest.mark.anyio

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RoundRobin:
    """nginx on a free loopback port, round robin over `upstreams`, logging which one served
    each request."""

    def __init__(self, system, upstreams: list[str]):
        self.folder = system.root / "nginx"
        self.folder.mkdir(exist_ok=True)
        self.port = free_port()
        self.access = self.folder / "access.log"
        servers = "\n".join(f"    server {address} max_fails=1 fail_timeout=30s;" for address in upstreams)
        (self.folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  log_format upstream '$request_method $status $upstream_addr';
  client_body_temp_path {self.folder}/body;
  proxy_temp_path {self.folder}/proxy;
  upstream fronts {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{self.port};
    access_log {self.access} upstream;
    location / {{
      proxy_pass http://fronts;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }}
  }}
}}
""")
        self.process = Process("nginx", [NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-g", "daemon off;"],
                               {"PATH": "/usr/sbin:/usr/bin:/bin"}, system.logs)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.popen.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {self.process.text()}")
                time.sleep(0.05)

    def served_by(self) -> list[str]:
        return [line.split()[-1] for line in self.access.read_text().splitlines() if line.startswith("POST 200")]

    def stop(self):
        self.process.stop()


@pytest.fixture
def replicas(system):
    fronts = [HTTPFront(system, name=f"mcp-front-replica-{index}") for index in range(3)]
    balancer = RoundRobin(system, [front.url.removeprefix("http://") for front in fronts])
    yield fronts, balancer
    balancer.stop()
    for front in fronts:
        front.process.kill()


async def call_with_one_retry(client, name, arguments, retries: list):
    """A call, retried once if its replica died under it (what any client does on a 502)."""
    try:
        return await client.call_tool(name, arguments)
    except Exception as error:  # noqa: BLE001 - the transport's error for a dead upstream
        retries.append(repr(error))
        return await client.call_tool(name, arguments)


async def test_any_replica_answers_and_a_killed_one_costs_at_most_one_retry(replicas):
    fronts, balancer = replicas
    token = fronts[0].token
    retries: list[str] = []
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        url = f"http://127.0.0.1:{balancer.port}/mcp"
        async with Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client:
            created = await client.call_tool("create_session", {"name": "replicated"})
            session = json.loads(created.content[0].text)["session_id"]
            assert f'"session_id": "{session}"' in created.content[-1].text  # the handle to pass on
            await client.call_tool("execute_blender_code", {
                "session_id": session, "code": "import bpy\nbpy.ops.wm.read_homefile(use_empty=True)"})
            for index in range(6):
                result = await call_with_one_retry(client, "execute_blender_code", {
                    "session_id": session, "code": f"import bpy\nbpy.ops.mesh.primitive_cube_add(location=({index * 3}, 0, 0))\nprint(len(bpy.data.objects))"}, retries)
                assert not result.is_error, text_of(result)
                assert text_of(result).split("\n")[0].strip().endswith(str(index + 1)), text_of(result)
                if index == 2:
                    fronts[1].process.kill()  # mid-run: the next call may be routed to it
            assert len(retries) <= 1, retries
            info = await call_with_one_retry(client, "get_scene_info", {"session_id": session}, retries)
            assert json.loads(text_of(info))["object_count"] == 6
    served = balancer.served_by()
    assert len(set(served[:4])) == 3, f"calls before the kill were not spread over the three replicas: {served}"
    assert len(retries) <= 1, retries
