"""Sessions for real: two Blenders behind two bridges, six sessions, isolation, a bridge
killed with -9 (its sessions re-home from checkpoints), the broker killed with -9 and
restarted (every session comes back), and idle clean-up with restore."""

import json
import tempfile
import time
from pathlib import Path

import anyio
import pytest

from mcp_clients import mcp_stdio as mcp, text_of
from system import System

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def cluster():
    root = Path(tempfile.mkdtemp(prefix="bmcp-sessions-", dir="/tmp"))
    running = System(root).start(blenders=2)
    yield running
    running.stop()


async def call(client, tool, arguments, retries=20):
    """Calls a tool; retries errors marked temporary (a bridge just died, the broker restarts)."""
    for _ in range(retries):
        result = await client.call_tool(tool, arguments)
        if not (result.is_error and "can be retried" in text_of(result)):
            return result
        await anyio.sleep(0.25)
    return result


async def ok(client, tool, arguments):
    result = await call(client, tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


def scene_objects(text: str) -> set[str]:
    body = text.split("\n\nNote:")[0]
    return {obj["name"] for obj in json.loads(body)["objects"]}


SESSIONS = 6


async def build_sessions(client):
    ids = []
    for index in range(SESSIONS):
        created = json.loads(await ok(client, "create_session", {"name": f"study {index}"}))
        ids.append(created["session_id"])
        code = (f"import bpy\nbpy.ops.mesh.primitive_uv_sphere_add(location=({index}, 0, 0))\n"
                f"bpy.context.active_object.name = 'Only_{index}'")
        await ok(client, "execute_blender_code", {"code": code, "session_id": ids[-1]})
    return ids


async def wait_for_checkpoints(client, ids):
    deadline = time.monotonic() + 20
    while True:
        sessions = {s["session_id"]: s for s in json.loads(await ok(client, "list_sessions", {}))["sessions"]}
        if all(sessions[i]["latest_checkpoint"] for i in ids):
            return sessions
        assert time.monotonic() < deadline, sessions
        await anyio.sleep(0.2)


async def test_sessions_are_isolated_survive_a_bridge_and_a_broker_kill(cluster):
    async with mcp(cluster) as client:
        ids = await build_sessions(client)

        # Spread over both instances, and each sees only its own object.
        sessions = await wait_for_checkpoints(client, ids)
        assert len({sessions[i]["instance"] for i in ids}) == 2
        for index, session in enumerate(ids):
            names = scene_objects(await ok(client, "get_scene_info", {"session_id": session}))
            assert f"Only_{index}" in names
            assert not any(f"Only_{other}" in names for other in range(SESSIONS) if other != index), names

        # kill -9 the first bridge: its sessions re-home on the other instance, objects intact.
        victim_instance = sessions[ids[0]]["instance"]
        victims = [i for i in ids if sessions[i]["instance"] == victim_instance]
        cluster.processes["blender-bridge"].kill()
        for session in victims:
            index = ids.index(session)
            text = await ok(client, "get_scene_info", {"session_id": session})
            assert f"Only_{index}" in scene_objects(text)
            assert "re-homed" in text and "restored from checkpoint" in text, text
        moved = {s["session_id"]: s for s in json.loads(await ok(client, "list_sessions", {}))["sessions"]}
        assert all(moved[i]["instance"] != victim_instance and moved[i]["state"] == "active" for i in victims)

        # kill -9 the broker and start it again: every session is listed and usable.
        cluster.processes["session-broker"].kill()
        cluster.start_broker()
        listed = json.loads(await ok(client, "list_sessions", {}))
        assert {s["session_id"] for s in listed["sessions"]} >= set(ids)
        for index, session in enumerate(ids):
            assert f"Only_{index}" in scene_objects(await ok(client, "get_scene_info", {"session_id": session}))

        # Unknown and closed sessions get precise errors.
        unknown = await client.call_tool("get_scene_info", {"session_id": "s-does-not-exist"})
        assert unknown.is_error and "unknown_session" in text_of(unknown)
        await ok(client, "close_session", {"session_id": ids[-1]})
        closed = await client.call_tool("get_scene_info", {"session_id": ids[-1]})
        assert closed.is_error and "session_closed" in text_of(closed)
        resumed = json.loads(await ok(client, "resume_session", {"session_id": ids[-1]}))
        assert resumed["state"] == "active" and resumed["restored_from"]
        assert f"Only_{SESSIONS - 1}" in scene_objects(await ok(client, "get_scene_info", {"session_id": ids[-1]}))


async def test_idle_sessions_are_released_and_restored(cluster):
    cluster.processes["session-broker"].kill()
    cluster.start_broker(BMCP_SESSION_IDLE="1")
    async with mcp(cluster) as client:
        session = json.loads(await ok(client, "create_session", {"name": "idle study"}))["session_id"]
        await ok(client, "execute_blender_code", {"code": "import bpy\nbpy.ops.mesh.primitive_torus_add()\nbpy.context.active_object.name = 'Donut'"})

        async def state():
            return json.loads(await ok(client, "get_session", {"session_id": session}))

        deadline = time.monotonic() + 20
        while (current := await state())["state"] != "idle":
            assert time.monotonic() < deadline, current
            await anyio.sleep(0.25)
        assert current["latest_checkpoint"]

        text = await ok(client, "get_scene_info", {})
        assert "Donut" in scene_objects(text)
        assert (await state())["state"] == "active"


async def test_a_second_client_cannot_take_an_attached_session_without_force(cluster):
    async with mcp(cluster) as first, mcp(cluster) as second:
        session = json.loads(await ok(first, "create_session", {"name": "mine"}))["session_id"]
        taken = await second.call_tool("switch_session", {"session_id": session})
        assert taken.is_error and "session_in_use" in text_of(taken)
        first_owner = json.loads(await ok(first, "get_session", {"session_id": session}))["owner"]
        forced = json.loads(await ok(second, "switch_session", {"session_id": session, "force": True}))
        assert forced["owner"] and forced["owner"] != first_owner
        refused = await first.call_tool("get_scene_info", {"session_id": session})
        assert refused.is_error and "session_in_use" in text_of(refused)
