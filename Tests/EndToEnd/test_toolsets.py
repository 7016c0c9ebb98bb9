"""The tool catalogue through the official client: the small default list, toolsets switched
on per connection (with notifications/tools/list_changed), every toolset's tools listed and
scored by mcpxray, and tools of several toolsets run in real Blender with their structured
results checked against their output schemas by the client itself."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from mcp_clients import mcp_stdio, text_of

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((REPO / "Services/mcp-front/Core/Tools/catalogue.json").read_text())
# The linter's gate: a tools/list scoring under this fails the suite.
MCPXRAY_MINIMUM = 90


def toolset_names():
    return [toolset["name"] for toolset in CATALOGUE["toolsets"] if toolset["name"] != "core"]


async def listed(client):
    return {tool.name: tool for tool in (await client.list_tools()).tools}


async def test_default_list_is_core_and_hints_every_tool(system):
    async with mcp_stdio(system, "--session", "s-e2e-toolsets-core") as client:
        tools = await listed(client)
        core = {tool["name"] for tool in CATALOGUE["tools"] if tool["toolset"] == "core"}
        assert set(tools) == core and len(tools) <= 40
        for tool in tools.values():
            assert tool.annotations is not None and tool.annotations.read_only_hint is not None, tool.name
            assert tool.description, tool.name
        assert tools["get_scene_info"].annotations.read_only_hint is True
        assert tools["delete_objects"].annotations.destructive_hint is True
        assert "session_id" in tools["create_object"].input_schema["required"]
        assert tools["create_object"].input_schema["properties"]["location"]["maxItems"] == 3
        assert "enum" in tools["create_object"].input_schema["properties"]["type"]


async def test_enabling_toolsets_grows_the_list_and_tells_the_client(system):
    changes = []

    async def on_message(message):
        if getattr(getattr(message, "root", message), "method", "") == "notifications/tools/list_changed":
            changes.append(1)

    async with mcp_stdio(system, "--session", "s-e2e-toolsets", message_handler=on_message) as client:
        before = await listed(client)
        sets = (await client.call_tool("list_toolsets", {})).structured_content["toolsets"]
        assert {entry["name"] for entry in sets} == {"core", *toolset_names()}
        assert all(entry["enabled"] == (entry["name"] == "core") for entry in sets)

        result = await client.call_tool("enable_toolset", {"name": "nodes"})
        assert not result.is_error, text_of(result)
        assert {tool["name"] for tool in result.structured_content["tools"]} >= {"create_geometry_nodes", "connect_geometry_nodes"}
        with anyio.fail_after(30):
            while not changes:
                await anyio.sleep(0.05)
        nodes = await listed(client)
        assert set(nodes) - set(before) == {tool["name"] for tool in CATALOGUE["tools"] if tool["toolset"] == "nodes"}

        bad = await client.call_tool("enable_toolset", {"name": "nodez"})
        assert bad.is_error and "'nodes'" in text_of(bad) and "nodez" in text_of(bad)

        for name in toolset_names():
            assert not (await client.call_tool("enable_toolset", {"name": name})).is_error
        everything = await listed(client)
        assert len(everything) == len(CATALOGUE["tools"]) >= 150

        manifest = Path(system.root) / "tools-list.json"
        manifest.write_text(json.dumps({"tools": [tool.model_dump(by_alias=True, exclude_none=True) for tool in everything.values()]}))
        mcpxray = shutil.which("mcpxray", path=str(Path(sys.executable).parent))
        assert mcpxray, "mcpxray (PyPI mcpxray-cli) is not installed in the test venv: pip install -r Tests/requirements.txt"
        scored = subprocess.run([mcpxray, "score", "--manifest", str(manifest), "--fail-under", str(MCPXRAY_MINIMUM)],
                                capture_output=True, text=True, timeout=120)
        assert scored.returncode == 0, scored.stdout + scored.stderr
        score = re.search(r"score (\d+)/100", scored.stdout)
        assert score and int(score.group(1)) >= MCPXRAY_MINIMUM, scored.stdout

        off = await client.call_tool("enable_toolset", {"name": "nodes", "enabled": False})
        assert not off.is_error
        assert "create_geometry_nodes" not in await listed(client)


async def test_tools_of_other_toolsets_run_unlisted_with_structured_results(system):
    """A tool can be called before its toolset is listed; the client validates each
    structuredContent against the tool's outputSchema (mcp 2.x does), so a result that breaks
    its declared shape fails here."""
    async with mcp_stdio(system, "--session", "s-e2e-toolsets-run") as client:
        async def ok(tool, arguments):
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, f"{tool}: {text_of(result)}"
            return result

        await ok("create_object", {"type": "cube", "name": "Box"})
        made = await ok("create_geometry_nodes", {"object": "Box"})
        assert made.structured_content is not None
        group = made.structured_content["group"]
        await ok("add_geometry_node", {"group": group, "type": "GeometryNodeSubdivideMesh", "name": "Subdivide"})
        info = (await ok("list_geometry_nodes", {"group": group})).structured_content
        assert any(node["name"] == "Subdivide" for node in info["nodes"])

        keyed = await ok("insert_keyframe", {"object": "Box", "data_path": "location", "frame": 24, "value": [0, 0, 2]})
        assert keyed.structured_content is not None
        keys = (await ok("list_keyframes", {"object": "Box"})).structured_content
        z = next(curve for curve in keys["fcurves"] if curve["data_path"] == "location" and curve["index"] == 2)
        assert 24 in [round(frame) for frame in z["frames"]]

        stats = (await ok("get_mesh_stats", {"object": "Box"})).structured_content
        assert stats["vertices"] == 8 and stats["faces"] == 6

        refused = await client.call_tool("bevel_edges", {"object": "Box", "segments": 0})
        assert refused.is_error, text_of(refused)
        assert "'segments'" in text_of(refused) and "between 1 and" in text_of(refused)


async def test_a_session_following_an_architecture_prompt_lists_the_architecture_tools(system):
    async with mcp_stdio(system) as client:
        assert "create_wall" not in await listed(client)
        made = await client.call_tool("create_session", {"name": "house study", "prompt": "detached-house"})
        assert not made.is_error, text_of(made)
        assert made.structured_content["session_id"]
        assert {"create_wall", "create_roof", "create_floor_plan"} <= set(await listed(client))
        # No session_id: the connection's current session (the new one) is meant, although
        # the schema asks for it; the answer is about that session, not a refused argument.
        log = await client.call_tool("get_session_log", {"tail": 5})
        assert made.structured_content["session_id"] in text_of(log) or not log.is_error, text_of(log)
