"""Latency of get_scene_info by layer, on a 10-object scene, headless and GUI (issues 2, 9.2, 9.3):
straight to the addon's socket, through the bus (Swift client `bmcp call` → broker → bridge →
addon), and through MCP over stdio, from the official Python client and from `mcp-latency`, a
lean Swift client whose own cost is a blocking read. An MCP ping (answered by mcp-front itself)
shows what each client and stdio cost on their own. The bus overhead budget is taken from the
Swift client's alternating pairs: each MCP call minus the direct call just before it.
Then the heavy case: a 10,000-object scene, paginated."""

from __future__ import annotations

import contextlib

import anyio

from clients import addon_call, addon_client, bmcp_repeat, mcp_client, start_system, swift_mcp, tool_json
from report import Budget, Section, percentiles, timed, timed_async

LIGHT_OBJECTS = 10
HEAVY_OBJECTS = 10_000

SCENE_CODE = """
import bpy
for o in list(bpy.data.objects):
    bpy.data.objects.remove(o, do_unlink=True)
mesh = bpy.data.meshes.new('bench')
for i in range({count}):
    o = bpy.data.objects.new('Obj%05d' % i, mesh)
    o.location = (i % 100, i // 100, 0)
    bpy.context.scene.collection.objects.link(o)
print(len(bpy.context.scene.objects))
"""


def direct(port: int, calls: int, warmup: int, params: dict | None = None) -> list[float]:
    with contextlib.closing(addon_client(port)) as client:
        return timed(lambda: addon_call(client, "scene.info", params), calls, warmup)


async def mcp_layers(system, calls: int, warmup: int, objects: int) -> dict[str, list[float]]:
    """Builds the scene in this connection's session, then times MCP ping and get_scene_info."""
    async with mcp_client(system) as mcp:
        made = await mcp.call_tool("execute_blender_code", {"code": SCENE_CODE.format(count=objects)})
        assert not made.is_error and str(objects) in made.content[0].text, made
        info = tool_json(await mcp.call_tool("get_scene_info", {}))
        assert info["object_count"] == objects, info
        # Let the debounced checkpoint of the new scene happen before anything is timed.
        await anyio.sleep(1.0)
        ping = await timed_async(mcp.send_ping, calls, warmup)
        scene = await timed_async(lambda: mcp.call_tool("get_scene_info", {}), calls, warmup)
        return {"ping": ping, "scene": scene}


def run_mode(section: Section, gui: bool, calls: int, warmup: int, heavy: bool):
    mode = "GUI (Xvfb)" if gui else "headless"
    system = start_system(gui=gui)
    try:
        layers = anyio.run(mcp_layers, system, calls, warmup, LIGHT_OBJECTS)
        # Sessionless requests run on the scene loaded now: the MCP session's 10 objects.
        addon = percentiles(direct(system.addon_port, calls, warmup))
        bus = bmcp_repeat(system, "scene.info", calls)
        mcp = percentiles(layers["scene"])
        ping = percentiles(layers["ping"])
        swift = swift_mcp(system, "ping,scene", calls, warmup, addon_port=system.addon_port)
        section.add(f"{mode}: addon socket (direct, Python client)", addon)
        section.add(f"{mode}: bus (bmcp call → broker → bridge → addon)", bus)
        section.add(f"{mode}: bus without mcp-front = bus − direct", difference(bus, addon),
                    note="percentiles of separate runs")
        section.add(f"{mode}: MCP ping (Python client ↔ mcp-front, no bus)", ping)
        section.add(f"{mode}: MCP get_scene_info (Python client → mcp-front → bus → addon)", mcp,
                    budget=Budget("p50", 5.0))
        section.add(f"{mode}: MCP chain overhead with the Python client = MCP − ping − direct",
                    difference(difference(mcp, ping), addon), note="percentiles of separate runs")
        section.add(f"{mode}: MCP ping (Swift client ↔ mcp-front, no bus)", percentiles(swift["ping"]))
        section.add(f"{mode}: addon socket (direct, Swift client, alternating with the next row)",
                    percentiles(swift["direct"]))
        section.add(f"{mode}: MCP get_scene_info (Swift client → mcp-front → bus → addon)",
                    percentiles(swift["get_scene_info"]), budget=Budget("p50", 5.0))
        section.add(f"{mode}: bus overhead = MCP get_scene_info − direct, per call pair (Swift client)",
                    percentiles(swift["overhead"]), budget=Budget("p50", 0.5))
        if heavy:
            run_heavy(section, system, mode, max(3, calls // 50))
    finally:
        system.stop()


def run_heavy(section: Section, system, mode: str, repeats: int):
    async def build_and_read():
        async with mcp_client(system) as mcp:
            made = await mcp.call_tool("execute_blender_code", {"code": SCENE_CODE.format(count=HEAVY_OBJECTS)})
            assert not made.is_error, made
            await anyio.sleep(2.0)
            return await timed_async(lambda: mcp.call_tool("get_scene_info", {}), repeats, 1)

    first_page = anyio.run(build_and_read)

    def walk(client):
        cursor, seen = None, 0
        while True:
            page = addon_call(client, "scene.info", {"limit": 1000, **({"cursor": cursor} if cursor else {})})
            seen += len(page["objects"])
            cursor = page.get("next_cursor")
            if not cursor:
                assert seen == HEAVY_OBJECTS, seen
                return

    with contextlib.closing(addon_client(system.addon_port)) as client:
        walks = timed(lambda: walk(client), repeats, 1)
    section.add(f"{mode}, 10,000 objects: MCP get_scene_info (first page of 100)", percentiles(first_page))
    section.add(f"{mode}, 10,000 objects: bus scene.info, one page of 1,000",
                bmcp_repeat(system, "scene.info", repeats * 5, params={"limit": 1000}))
    section.add(f"{mode}, 10,000 objects: addon direct, all 10 pages of 1,000", percentiles(walks))


def difference(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {key: a[key] - b[key] for key in ("p50", "p90", "p99")} | {"n": min(a["n"], b["n"])}


def run(smoke: bool) -> list[Section]:
    calls, warmup = (10, 3) if smoke else (500, 50)
    section = Section(
        "get_scene_info by layer (issues 2, 9.2, 9.3)",
        f"{calls} back-to-back calls after {warmup} warm-up per row, scene of {LIGHT_OBJECTS} objects, one connection. "
        "Rows marked 'percentiles of separate runs' subtract percentiles of different runs (an estimate); "
        "the budgeted bus overhead is a per-call difference.")
    for gui in (False, True):
        run_mode(section, gui, calls, warmup, heavy=not gui)
    return [section]
