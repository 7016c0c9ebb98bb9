"""Per-call latency of MCP 2026-07-28 beside the handshake era (issue 16), with the official
Python client (`mcp` 2.x) in `legacy` and `2026-07-28` modes, over stdio and over Streamable
HTTP, on the same system: get_scene_info on a 10-object scene with its session_id, and
tools/list. At 2026-07-28 each HTTP request is a POST of its own, answered by any replica."""

from __future__ import annotations

import json

import anyio

from clients import start_system
from report import Section, percentiles, timed_async
from system import HTTPFront

SCENE = ("import bpy\nbpy.ops.wm.read_homefile(use_empty=True)\n"
         "for i in range(10): bpy.ops.mesh.primitive_cube_add(location=(i * 3, 0, 0))\n")


async def measure(server, mode: str, calls: int, warmup: int, http=None) -> dict[str, list[float]]:
    from mcp import Client
    async with Client(server, mode=mode) as client:
        created = await client.call_tool("create_session", {"name": f"bench {mode}"})
        session = json.loads(created.content[0].text)["session_id"]
        await client.call_tool("execute_blender_code", {"code": SCENE, "session_id": session})
        await anyio.sleep(1.0)  # the debounced checkpoint of the new scene, before timing
        scene = await timed_async(lambda: client.call_tool("get_scene_info", {"session_id": session}), calls, warmup)
        tools = await timed_async(lambda: client.list_tools(cache_mode="bypass"), calls, warmup)
        await client.call_tool("close_session", {"session_id": session})
        return {"scene": scene, "tools": tools}


def run(smoke: bool) -> list[Section]:
    from mcp import StdioServerParameters
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    calls, warmup = (10, 3) if smoke else (300, 30)
    section = Section("MCP 2026-07-28 beside the handshake era (issue 16)",
                      f"{calls} calls after {warmup} warm-up per row, official Python client `mcp` 2.3.0, one Blender (headless), "
                      "scene of 10 objects; each row its own client connection.")
    system = start_system()
    try:
        front = HTTPFront(system, name="mcp-front-bench-http")
        stdio = StdioServerParameters(command=str(system.bin / "mcp-front"), args=[], env=system.mcp_front_env())

        async def over_http(mode):
            async with create_mcp_http_client(headers=front.auth) as http:
                return await measure(streamable_http_client(front.url + "/mcp", http_client=http), mode, calls, warmup)

        for transport in ("stdio", "HTTP"):
            for mode in ("legacy", "2026-07-28"):
                era = "handshake (2025-11-25)" if mode == "legacy" else "2026-07-28"
                samples = anyio.run(measure, stdio, mode, calls, warmup) if transport == "stdio" else anyio.run(over_http, mode)
                section.add(f"{transport}, {era}: get_scene_info", percentiles(samples["scene"]))
                section.add(f"{transport}, {era}: tools/list", percentiles(samples["tools"]))
        front.stop()
    finally:
        system.stop()
    return [section]
