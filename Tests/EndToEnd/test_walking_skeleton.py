"""The whole chain, for real: the official Python MCP client starts mcp-front over stdio;
mcp-front → session-broker → blender-bridge → addon inside a headless Blender."""

import json
import time

import anyio
import pytest

from mcp_clients import mcp_stdio, text_of

pytestmark = pytest.mark.anyio

SESSION = "s-e2e-skeleton"


def mcp_session(system, session=SESSION):
    return mcp_stdio(system, "--session", session)


async def test_tools_cube_scene_and_object_info(system):
    async with mcp_session(system) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert {"get_scene_info", "get_object_info", "execute_blender_code"} <= set(tools)
        assert tools["get_object_info"].input_schema["required"] == ["object_name", "session_id"]

        code = "import bpy\nbpy.ops.mesh.primitive_cube_add(size=2, location=(1.5, -2.0, 0.75))\nprint(bpy.context.active_object.name)"
        result = await client.call_tool("execute_blender_code", {"code": code})
        assert not result.is_error, text_of(result)
        created = text_of(result).removeprefix("Code executed successfully: ").strip()
        assert created == "Cube"  # a new session starts empty but for a camera and a sun

        scene = json.loads(text_of(await client.call_tool("get_scene_info", {})))
        names = {obj["name"]: obj for obj in scene["objects"]}
        assert set(names) == {"Camera", "Sun", created}
        assert scene["object_count"] == len(scene["objects"]) == 3
        assert names[created]["location"] == pytest.approx([1.5, -2.0, 0.75])

        info = json.loads(text_of(await client.call_tool("get_object_info", {"object_name": "Cube"})))
        assert info["name"] == "Cube" and info["type"] == "MESH"
        assert info["dimensions"] == pytest.approx([2, 2, 2])
        assert info["mesh"]["vertices"] == 8 and info["mesh"]["polygons"] == 6

        moved = json.loads(text_of(await client.call_tool("get_object_info", {"object_name": created})))
        assert moved["location"] == pytest.approx([1.5, -2.0, 0.75])


async def test_bad_argument_type_is_an_error_naming_the_argument(system):
    async with mcp_session(system) as client:
        result = await client.call_tool("get_object_info", {"object_name": 42})
        assert result.is_error
        assert "'object_name'" in text_of(result) and "must be a non-empty string" in text_of(result)

        missing = await client.call_tool("execute_blender_code", {})
        assert missing.is_error and "'code'" in text_of(missing)


async def test_blender_errors_come_back_with_their_cause(system):
    async with mcp_session(system) as client:
        unknown = await client.call_tool("get_object_info", {"object_name": "NoSuchThing"})
        assert unknown.is_error and "NoSuchThing" in text_of(unknown)

        failing = await client.call_tool("execute_blender_code", {"code": "1/0"})
        assert failing.is_error
        assert "ZeroDivisionError" in text_of(failing)


async def test_commands_reach_the_session_command_log(system):
    async with mcp_session(system, session="s-e2e-log") as client:
        await client.call_tool("execute_blender_code", {"code": "print('logged')"})
        await client.call_tool("get_scene_info", {})
    log = system.data / "sessions" / "s-e2e-log" / "command.log"

    def completed():
        if not log.exists():
            return None
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        return lines if len(lines) >= 2 else None

    from system import wait_for
    lines = wait_for(completed, 10, "two completed commands in command.log")
    assert [line["status"] for line in lines] == ["ok", "ok"]
    assert [line["op"] for line in lines] == ["code.execute", "scene.info"]
    assert [line["tool"] for line in lines] == ["execute_blender_code", "get_scene_info"]
    code = lines[0]["params"]["code"]
    assert (log.parent / code["file"]).read_text() == "print('logged')"
    assert "stdout | logged" in (log.parent / "blender.log").read_text()
    events = [json.loads(line) for line in (log.parent / "events.log").read_text().splitlines()]
    assert events[0]["event"] == "session.created"
    assert all(line["source"].startswith("session-broker/") for line in lines)
    assert [line["seq"] for line in lines] == sorted(line["seq"] for line in lines)


async def test_losing_the_bridge_gives_a_clear_error_then_recovers(system):
    async with mcp_session(system) as client:
        ok = await client.call_tool("get_scene_info", {})
        assert not ok.is_error

        system.processes["blender-bridge"].kill()
        with anyio.fail_after(20):  # a hang would be the bug
            first = await client.call_tool("get_scene_info", {})
        assert first.is_error
        assert "no_blender" in text_of(first) or "bridge_lost" in text_of(first), text_of(first)

        # Once the broker has noticed (at once, or after missed heartbeats), the error is "no Blender".
        deadline = time.monotonic() + 10
        while True:
            result = await client.call_tool("get_scene_info", {})
            if "No Blender available" in text_of(result):
                break
            assert time.monotonic() < deadline, text_of(result)
            await anyio.sleep(0.1)
        assert result.is_error and "retried" in text_of(result)

        system.start_bridge()
        deadline = time.monotonic() + 10
        while True:
            again = await client.call_tool("get_scene_info", {})
            if not again.is_error:
                break
            assert time.monotonic() < deadline, text_of(again)
            await anyio.sleep(0.1)
        assert "Camera" in text_of(again)


def test_every_service_stops_cleanly_on_sigterm(tmp_path):
    import tempfile
    from pathlib import Path
    from system import System

    system = System(Path(tempfile.mkdtemp(prefix="bmcp-stop-", dir="/tmp"))).start()
    codes = system.stop()
    assert codes.pop("blender") is not None
    assert codes == {name: 0 for name in codes}, {name: system.processes[name].text()[-2000:] for name in codes}
