"""The architecture prompt dictionary and the real-scale building tools through MCP: prompts
listed, rendered and completed; search in English and Japanese; and the detached-house recipe
followed into real Blender, its dimensions checked with get_object_info."""

import json
import math
import tempfile
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from mcp_clients import mcp_stdio as mcp, text_of
from system import System

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def system():
    running = System(Path(tempfile.mkdtemp(prefix="bmcp-arch-", dir="/tmp"))).start()
    yield running
    running.stop()


async def ok(client, tool, arguments):
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


async def test_prompts_are_listed_rendered_and_completed(system):
    async with mcp(system) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert len(prompts) >= 80
        house = prompts["detached-house"]
        assert "戸建住宅" in house.title
        arguments = {a.name: a for a in house.arguments}
        assert "5.46–14.56" in arguments["width"].description and "lang" in arguments

        rendered = await client.get_prompt("detached-house", {"width": "9.1", "lang": "ja"})
        text = rendered.messages[0].content.text
        assert text.startswith("戸建住宅") and "width: 9.1 m" in text and "create_roof" in text

        with pytest.raises(MCPError) as refused:
            await client.get_prompt("detached-house", {"width": "30"})
        assert "outside the allowed range 5.46–14.56 m" in str(refused.value)

        from mcp.types import PromptReference
        completion = await client.complete(PromptReference(type="ref/prompt", name="detached-house"),
                                           {"name": "lang", "value": "j"})
        assert completion.completion.values == ["ja"]


async def test_search_tool_finds_entries_in_both_languages(system):
    async with mcp(system) as client:
        assert "tea-house" in await ok(client, "search_architecture_prompts", {"query": "茶室"})
        assert "irimoya" in await ok(client, "search_architecture_prompts", {"query": "hip and gable roof"})
        bad = await client.call_tool("search_architecture_prompts", {"query": "roof", "lang": "fr"})
        assert bad.is_error and "'lang'" in text_of(bad)


async def test_detached_house_recipe_builds_to_real_dimensions(system):
    width, depth, floor_height, pitch = 7.28, 9.1, 2.9, 26.6
    async with mcp(system) as client:
        await ok(client, "create_session", {"name": "small gable house"})
        await ok(client, "create_slab", {"width": width, "depth": depth, "origin": [0, 0], "thickness": 0.15, "z": 0})
        plan = json.loads(await ok(client, "create_floor_plan", {
            "rooms": [{"name": "House", "x": 0, "y": 0, "width": width, "depth": depth}],
            "wall_height": floor_height, "wall_thickness": 0.15,
            "doors": [{"room": "House", "side": "south", "width": 0.9, "height": 2.1}]}))
        walls = plan["changed"]["created"]
        roof = json.loads(await ok(client, "create_roof", {
            "type": "gable", "width": width, "depth": depth, "origin": [0, 0], "base_z": floor_height,
            "pitch_deg": pitch, "overhang": 0.45, "ridge_axis": "y"}))["changed"]["created"][0]

        wall = json.loads(await ok(client, "get_object_info", {"object_name": walls[0]}))
        box = wall["world_bounding_box"]
        assert box["max"][2] - box["min"][2] == pytest.approx(floor_height, abs=1e-4)
        assert min(wall["dimensions"][:2]) == pytest.approx(0.15, abs=1e-4)

        ridge = json.loads(await ok(client, "get_object_info", {"object_name": roof}))["world_bounding_box"]["max"][2]
        expected = floor_height + width / 2 * math.tan(math.radians(pitch))
        # arch.roof puts the ridge top at base_z + span/2 × tan(pitch) (docs/PROMPT-DICTIONARY.md).
        assert ridge == pytest.approx(expected, abs=1e-3)

        # The door: rays through the south wall (y = 0) pass only inside its 0.9 × 2.1 m hole,
        # centred on the side. Blender's own ray cast on the evaluated scene, not our arithmetic.
        centre = width / 2
        probes = {"centre": (centre, 1.0), "above": (centre, 2.1 + 0.05), "left": (centre - 0.45 - 0.05, 1.0),
                  "left inside": (centre - 0.45 + 0.05, 1.0), "right": (centre + 0.45 + 0.05, 1.0),
                  "right inside": (centre + 0.45 - 0.05, 1.0), "top inside": (centre, 2.1 - 0.05)}
        code = ("import bpy, json\nfrom mathutils import Vector\ndeps = bpy.context.evaluated_depsgraph_get()\n"
                f"probes = {json.dumps(probes)}\n"
                "print(json.dumps({name: bpy.context.scene.ray_cast(deps, Vector((x, -1.0, z)), Vector((0, 1, 0)), distance=2.0)[0]"
                " for name, (x, z) in probes.items()}))")
        hits = json.loads(text_of(await client.call_tool("execute_blender_code", {"code": code})).removeprefix("Code executed successfully: "))
        assert hits == {"centre": False, "above": True, "left": True, "left inside": False, "right": True,
                        "right inside": False, "top inside": False}, hits

        refused = await client.call_tool("create_stairs", {"total_rise": 2.9, "riser_max": 0.4})
        assert refused.is_error and "0.10–0.23" in text_of(refused)
