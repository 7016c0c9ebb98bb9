"""A session's files read through MCP, with the official Python client over mcp-front:
resource templates, the session's resources listed, command.log / blender.log / state.json /
design.md read, the get_session_log tool, and notifications/resources/updated after a
subscription. state.json is the scene snapshot log-writer takes after a change."""

import inspect
import json
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from mcp.shared.exceptions import MCPError

from mcp_clients import mcp_stdio, text_of
from system import System

pytestmark = pytest.mark.anyio

FILES = ["command.log", "blender.log", "state.json", "design.md", "plan.svg", "elevation.svg"]


@pytest.fixture(scope="module")
def system():
    running = System(Path(tempfile.mkdtemp(prefix="bmcp-access-", dir="/tmp"))).start()
    yield running
    running.stop()


@asynccontextmanager
async def mcp(system, updates: list[str]):
    async def on_message(message):
        message = getattr(message, "root", message)
        if getattr(message, "method", None) == "notifications/resources/updated":
            updates.append(str(message.params.uri))

    async with mcp_stdio(system, message_handler=on_message) as client:
        yield client


async def ok(client, tool, arguments):
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


async def read(client, uri: str) -> str:
    contents = (await client.read_resource(uri)).contents
    assert len(contents) == 1 and str(contents[0].uri) == uri
    return contents[0].text


async def eventually(check, what: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await anyio.sleep(0.1)


async def test_session_files_are_mcp_resources_with_updates(system):
    updates: list[str] = []
    async with mcp(system, updates) as client:
        templates = (await client.list_resource_templates()).resource_templates
        assert {t.uri_template for t in templates} == {f"session://{{session_id}}/{name}" for name in FILES}
        assert {t.name: t.mime_type for t in templates}["command.log"] == "application/x-ndjson"

        session = json.loads(await ok(client, "create_session", {"name": "log access study"}))["session_id"]
        uri = {name: f"session://{session}/{name}" for name in FILES}
        await client.subscribe_resource(uri["command.log"])
        await client.subscribe_resource(uri["state.json"])

        slab = json.loads(await ok(client, "create_slab", {"width": 4, "depth": 3, "origin": [0, 0], "thickness": 0.15, "z": 0}))
        slab_name = slab["changed"]["created"][0]
        await ok(client, "execute_blender_code", {"code": "print('slab laid')"})

        # Subscribed: told when each file changed, without polling.
        await eventually(lambda: uri["command.log"] in updates, "command.log updated")
        await eventually(lambda: uri["state.json"] in updates, "state.json updated")
        assert all(u in (uri["command.log"], uri["state.json"]) for u in updates), updates  # only what was subscribed

        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        assert set(uri.values()) <= listed

        async def both_commands():
            lines = [json.loads(line) for line in (await read(client, uri["command.log"])).splitlines()]
            return lines if len(lines) >= 2 else None
        lines = await eventually(both_commands, "two lines in command.log")
        assert [(line["tool"], line["status"]) for line in lines] == [("create_slab", "ok"), ("execute_blender_code", "ok")]
        assert lines[0]["changed"]["created"] == [slab_name] and lines[0]["duration_ms"] > 0
        assert lines[1]["params"]["code"]["file"].startswith("code/")
        assert "stdout | slab laid" in await read(client, uri["blender.log"])

        # state.json: the scene after the change, with real sizes.
        async def snapshot_with_slab():
            try:
                state = json.loads(await read(client, uri["state.json"]))
            except MCPError:
                return None  # not written yet
            objects = {o["name"]: o for o in state["scene"]["objects"]}
            return objects if slab_name in objects else None
        objects = await eventually(snapshot_with_slab, "state.json with the slab")
        assert objects[slab_name]["dimensions"] == pytest.approx([4, 3, 0.15], abs=1e-4)

        async def design_with_slab():
            try:
                text = await read(client, uri["design.md"])
            except MCPError:
                return None
            return text if slab_name in text and "2 commands" in text else None
        design = await eventually(design_with_slab, "design.md naming the slab")
        assert design.startswith("# log access study\n")
        assert f"| {slab_name} | 1 | (0.00, 0.00) (4.00, 0.00) (4.00, 3.00) (0.00, 3.00) | 0.15 m | 0.00 m | 12.0 m² | – |" in design
        assert "## The building" in design and "**4.00 × 3.00 m**" in design
        assert f"create_slab: depth 3, origin \\[0, 0\\], thickness 0.15, width 4 | created {slab_name} |" in design
        # The drawings design.md links are resources too, by the names it links them with.
        assert "](plan.svg)" in design and "](elevation.svg)" in design
        plan = await read(client, uri["plan.svg"])
        assert '<g class="storey" data-storey="1"' in plan, plan[:300]
        assert "<svg" in await read(client, uri["elevation.svg"])

        # The tool, for clients without resources: the latest command(s) as JSON lines.
        tail = (await ok(client, "get_session_log", {"session_id": session, "tail": 1})).strip().splitlines()
        assert len(tail) == 1 and json.loads(tail[0])["tool"] == "execute_blender_code"
        everything = (await ok(client, "get_session_log", {})).strip().splitlines()  # the current session
        assert [json.loads(line)["seq"] for line in everything] == [line["seq"] for line in lines]


async def test_bad_resource_uris_are_refused_with_a_reason(system):
    async with mcp(system, []) as client:
        for uri, reason in [
            ("session://../command.log", "not a safe folder name"),
            ("session://.hidden/state.json", "not a safe folder name"),
            ("session://s-x/passwd", "is not session://<session_id>/<file>"),
            ("session://a/b/command.log", "is not session://<session_id>/<file>"),
            ("session://s-never-made/command.log", "has no command.log yet"),
        ]:
            with pytest.raises(MCPError) as refused:
                await client.read_resource(uri)
            assert reason in str(refused.value), (uri, str(refused.value))
        with pytest.raises(MCPError):
            await client.subscribe_resource("session://s-x/passwd")
        bad = await client.call_tool("get_session_log", {"session_id": "../../etc"})
        assert bad.is_error and "not a safe folder name" in text_of(bad)
