"""mcp-front over HTTP, for real: MCP Streamable HTTP with the official Python client (progress,
a dropped SSE stream resumed with Last-Event-ID), the JSON API, and bad input answered with the
right status and a JSON error body."""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.message import ClientMessageMetadata
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp import types

from mcp_clients import text_of
from proxy import CuttableProxy
from system import HTTPFront

pytestmark = pytest.mark.anyio

CUBE = "import bpy\nbpy.ops.wm.read_homefile(use_empty=True)\nbpy.ops.mesh.primitive_cube_add(size=2)\nprint(len(bpy.data.objects))"


async def test_initialize_list_tools_and_a_call_with_progress(front):
    async with create_mcp_http_client(headers=front.auth) as http, \
            streamable_http_client(front.url + "/mcp", http_client=http) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert {"get_scene_info", "execute_blender_code", "create_session", "enable_toolset"} <= names
            assert "create_wall" not in names  # the architecture toolset, listed once enabled
            enabled = await client.call_tool("enable_toolset", {"name": "architecture"})
            assert not enabled.is_error, enabled
            assert "create_wall" in {tool.name for tool in (await client.list_tools()).tools}

            progress = []

            async def on_progress(value, total, message):
                progress.append((value, total, message))

            result = await client.call_tool("execute_blender_code", {"code": CUBE}, progress_callback=on_progress)
            assert not result.is_error, text_of(result)
            assert text_of(result).strip().endswith("1")
            info = await client.call_tool("get_object_info", {"object_name": "Cube"})
            assert json.loads(text_of(info))["dimensions"] == [2.0, 2.0, 2.0]
            # Progress travels on the call's own stream, ahead of its result: all of it is in by now.
            assert [(value, total) for value, total, _ in progress] == [(1, 2), (2, 2)]
            assert "sent to Blender" in progress[0][2] and "done" in progress[1][2]


def sse_messages(body: str) -> list[dict]:
    """The JSON-RPC messages of an SSE body, in order (priming and keep-alive events have none)."""
    messages = []
    for event in body.split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in event.splitlines() if line.startswith("data:"))
        if data:
            messages.append(json.loads(data))
    return messages


async def test_progress_goes_on_the_calls_own_stream_before_its_result(front):
    """Handshake era: a tool's progress notifications are written to the POST's SSE stream ahead
    of the result (on the GET stream the last one could trail the result and be dropped)."""
    headers = {**front.auth, "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        init = await http.post(front.url + "/mcp", json={
            "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
        assert init.status_code == 200, init.text
        session = {"Mcp-Session-Id": init.headers["mcp-session-id"], "MCP-Protocol-Version": "2025-06-18"}
        await http.post(front.url + "/mcp", headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        for token in ("tok-1", 7):
            answer = await http.post(front.url + "/mcp", headers=session, json={
                "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                    "name": "get_scene_info", "arguments": {}, "_meta": {"progressToken": token}}})
            messages = sse_messages(answer.text)
            kinds = [m.get("method") or ("result" if "result" in m else "error") for m in messages]
            assert kinds == ["notifications/progress", "notifications/progress", "result"], messages
            assert [m["params"]["progress"] for m in messages[:2]] == [1, 2]
            assert {m["params"]["progressToken"] for m in messages[:2]} == {token}
        await http.delete(front.url + "/mcp", headers=session)


async def test_a_dropped_sse_stream_is_resumed_with_last_event_id(front):
    port = int(front.url.rsplit(":", 1)[1])
    proxy = CuttableProxy(("127.0.0.1", port))
    try:
        async with create_mcp_http_client(headers=front.auth) as http, \
                streamable_http_client(f"http://127.0.0.1:{proxy.port}/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as client:
                await client.initialize()
                primed = anyio.Event()

                async def on_token(token):
                    primed.set()

                request = types.CallToolRequest(params=types.CallToolRequestParams(
                    name="execute_blender_code", arguments={"code": "import time\ntime.sleep(2)\nprint('slept well')"}))
                outcome = {}

                async def call():
                    outcome["result"] = await client.send_request(
                        request, types.CallToolResult, metadata=ClientMessageMetadata(on_resumption_token_update=on_token))

                async with anyio.create_task_group() as group:
                    group.start_soon(call)
                    with anyio.fail_after(30):
                        await primed.wait()
                    proxy.cut()  # the POST's SSE stream dies mid-call, as on a network drop
                assert "slept well" in text_of(outcome["result"])
        resumed = [r for r in proxy.requests if r.startswith(b"GET ") and b"last-event-id" in r.lower()]
        assert resumed, "the client never reconnected with Last-Event-ID"
    finally:
        proxy.close()


async def test_an_unknown_mcp_session_is_404_and_delete_ends_a_session(front):
    async with httpx2.AsyncClient(headers=front.auth) as http:
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
                   "Mcp-Session-Id": "no-such-session", "MCP-Protocol-Version": "2025-11-25"}
        answer = await http.post(front.url + "/mcp", headers=headers, content=b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
        assert answer.status_code == 404
        assert "no-such-session" in answer.json()["error"]["message"]
        missing = await http.post(front.url + "/mcp", headers={k: v for k, v in headers.items() if k != "Mcp-Session-Id"},
                                  content=b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
        assert missing.status_code == 400 and "session-id header" in missing.json()["error"]["message"].lower()


# ---------------------------------------------------------------------------------- HTTP API


def api(front, method, path, auth=True, **kwargs):
    """One HTTP request to `front`, with its bearer token unless auth=False."""
    headers = {**(front.auth if auth else {}), **kwargs.pop("headers", {})}
    response = httpx2.request(method, front.url + path, timeout=60, headers=headers, **kwargs)
    return response


def test_api_sessions_tools_log_state_design_and_render(front):
    created = api(front, "POST", "/api/sessions", json={"name": "api house"})
    assert created.status_code == 201, created.text
    session = created.json()["session_id"]
    listed = api(front, "GET", "/api/sessions").json()["sessions"]
    assert session in [s["session_id"] for s in listed]
    assert api(front, "GET", f"/api/sessions/{session}").json()["name"] == "api house"

    ran = api(front, "POST", f"/api/sessions/{session}/tools/execute_blender_code", json={"code": CUBE})
    assert ran.status_code == 200 and not ran.json()["is_error"], ran.text
    rendered = api(front, "POST", f"/api/sessions/{session}/tools/render_image", json={"width": 64, "height": 48})
    assert rendered.status_code == 200, rendered.text

    def logged():
        page = api(front, "GET", f"/api/sessions/{session}/log?offset=0&limit=10").json()
        return page if page.get("total", 0) >= 2 else None

    from system import wait_for
    page = wait_for(logged, 30, "both commands in command.log", interval=0.1)
    assert [c["tool"] for c in page["commands"]][:2] == ["execute_blender_code", "render_image"]
    assert api(front, "GET", f"/api/sessions/{session}/log?offset=1&limit=1").json()["commands"][0]["tool"] == "render_image"
    last = api(front, "GET", f"/api/sessions/{session}/log?tail=1").json()
    assert [c["tool"] for c in last["commands"]] == [page["commands"][page["total"] - 1]["tool"]]
    assert last["offset"] == page["total"] - 1

    state = wait_for(lambda: (lambda r: r.json() if r.status_code == 200 else None)(api(front, "GET", f"/api/sessions/{session}/state")),
                     30, "state.json", interval=0.1)
    assert "Cube" in [o["name"] for o in state["scene"]["objects"]]
    design = wait_for(lambda: (lambda r: r.text if r.status_code == 200 and "Cube" in r.text else None)(
        api(front, "GET", f"/api/sessions/{session}/design")), 30, "design.md naming the cube", interval=0.1)
    assert design.startswith("# ")
    png = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(api(front, "GET", f"/api/sessions/{session}/render")),
                   30, "the latest render", interval=0.1)
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"

    instances = api(front, "GET", "/api/instances").json()["instances"]
    assert instances and instances[0]["sessions"] >= 1
    health = api(front, "GET", "/api/health").json()
    assert set(health) >= {"session-broker", "log-writer", "prompt-service", "mcp-front"}
    closed = api(front, "DELETE", f"/api/sessions/{session}")
    assert closed.status_code == 200 and api(front, "GET", f"/api/sessions/{session}").json()["state"] == "closed"


def test_api_events_stream_a_sessions_commands(front):
    session = api(front, "POST", "/api/sessions", json={"name": "events"}).json()["session_id"]
    seen = []
    with httpx2.stream("GET", front.url + f"/api/events?session={session}", headers=front.auth, timeout=60) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        api(front, "POST", f"/api/sessions/{session}/tools/get_scene_info", json={})
        for line in lines:
            if line.startswith("data: "):
                event = json.loads(line[len("data: "):])
                assert event["session"] == session
                seen.append(event["op"])
                if event["op"] == "command.completed":
                    break
    assert "command.completed" in seen


def error_of(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"] == code and body["message"], body
    return body["message"]


def test_bad_input_gets_the_right_status_and_a_json_error(front):
    assert "evil.example" in error_of(api(front, "GET", "/api/sessions", headers={"Origin": "http://evil.example"}), 403, "origin_not_allowed")
    assert api(front, "GET", "/api/sessions", headers={"Origin": front.url}).status_code == 200
    assert "s-nope" in error_of(api(front, "GET", "/api/sessions/s-nope"), 404, "unknown_session")
    error_of(api(front, "POST", "/api/sessions", content=b"x" * (5 * 1024 * 1024),
                 headers={"Content-Type": "application/json"}), 413, "body_too_large")
    assert "JSON" in error_of(api(front, "POST", "/api/sessions", content=b"{nope", headers={"Content-Type": "application/json"}), 400, "bad_json")
    assert "colour" in error_of(api(front, "POST", "/api/sessions", json={"colour": "red"}), 400, "bad_params")
    assert "limit" in error_of(api(front, "GET", "/api/sessions/s-x/log?limit=0"), 400, "bad_params")
    assert "tail" in error_of(api(front, "GET", "/api/sessions/s-x/log?tail=x"), 400, "bad_params")
    assert "unknown_tool" == api(front, "POST", "/api/sessions/s-x/tools/fly", json={}).json()["error"]["code"]
    bad_argument = api(front, "POST", "/api/sessions/s-x/tools/get_object_info", json={"object_name": 7})
    assert bad_argument.status_code == 422 and "object_name" in bad_argument.json()["text"]
    error_of(api(front, "GET", "/nowhere"), 404, "not_found")
    # Found through schemathesis: a null where a string goes, a bad parameter that `tail`
    # overrides, and a method a known path does not take (405 with Allow, not 404).
    assert "'name' must be a string" in error_of(api(front, "POST", "/api/sessions", json={"name": None}), 400, "bad_params")
    assert "offset" in error_of(api(front, "GET", "/api/sessions/s-x/log?tail=5&offset=x"), 400, "bad_params")
    wrong_method = api(front, "PUT", "/api/sessions/s-x/log")
    assert "GET" in error_of(wrong_method, 405, "method_not_allowed")
    assert wrong_method.headers["allow"] == "GET"
    assert api(front, "TRACE", "/api/sessions").headers["allow"] == "GET, POST"
    # A path that is served with GET, asked with GET, for something that is not there: still 404.
    assert api(front, "GET", "/dashboard/nothing.js").status_code == 404


def test_path_ids_are_percent_decoded(front):
    """Found through schemathesis (test_api_schema.py): a path's session id or tool name reached
    the broker still percent-encoded, so `s%2D…` was not the session `s-…`."""
    session = api(front, "POST", "/api/sessions", json={"name": "escaped"}).json()["session_id"]
    escaped = session.replace("-", "%2D")
    assert api(front, "GET", f"/api/sessions/{escaped}").json()["session_id"] == session
    from system import wait_for
    wait_for(lambda: api(front, "GET", f"/api/sessions/{escaped}/design").status_code == 200, 30, "design.md by an escaped id", interval=0.1)
    assert "'../../etc'" in error_of(api(front, "GET", "/api/sessions/..%2F..%2Fetc/state"), 400, "bad_params")
    assert "percent-encoded UTF-8" in error_of(api(front, "GET", "/api/sessions/s%FF/state"), 400, "bad_params")
    ran = api(front, "POST", f"/api/sessions/{session}/tools/get%5Fscene%5Finfo", json={})
    assert ran.status_code == 200 and ran.json()["tool"] == "get_scene_info", ran.text


def test_every_refusal_the_api_gives_is_declared_in_openapi(front):
    """Found by schemathesis (test_api_schema.py): statuses the API answers with that
    openapi.yaml did not list."""
    session = api(front, "POST", "/api/sessions", json={"name": "declared"}).json()["session_id"]
    import yaml
    from system import REPO
    spec = yaml.safe_load((REPO / "Services/mcp-front/Core/Dashboard/openapi.yaml").read_text())
    declared = lambda path, method: set(spec["paths"][path][method]["responses"])  # noqa: E731
    assert "keep_checkpoint" in error_of(api(front, "DELETE", f"/api/sessions/{session}?keep_checkpoint=null"), 400, "bad_params")
    assert "400" in declared("/api/sessions/{id}", "delete")
    error_of(api(front, "POST", "/api/sessions", json={"instance": ""}), 404, "unknown_instance")
    assert "404" in declared("/api/sessions", "post")
    error_of(api(front, "POST", f"/api/sessions/{session}/tools/get_scene_info", json=[]), 400, "bad_json")
    assert "400" in declared("/api/sessions/{id}/tools/{tool}", "post")
    for part in ("state", "design", "plan", "elevation", "blender-log", "render"):
        error_of(api(front, "GET", f"/api/sessions/a%20b/{part}"), 400, "bad_params")
        assert "400" in declared(f"/api/sessions/{{id}}/{part}", "get"), part


def test_auth_can_be_turned_off_explicitly_on_loopback_only(system):
    """The token is the default (test_access.py); `--http-auth off` is the explicit way out."""
    import subprocess
    unsecured = HTTPFront(system, "--http-auth", "off", name="mcp-front-auth-off", env={"BMCP_TOKEN": ""})
    try:
        assert api(unsecured, "GET", "/api/sessions", auth=False).status_code == 200
    finally:
        assert unsecured.stop() == 0
    refused = subprocess.run([str(system.bin / "mcp-front"), "--http", "0.0.0.0:0", "--http-auth", "off"], env=system.env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "auth off" in refused.stderr
    trusted = HTTPFront(system, "--trusted-network", "1", name="mcp-front-trusted")  # as compose runs it: the token still holds
    try:
        assert api(trusted, "GET", "/api/sessions", auth=False).status_code == 401
        assert api(trusted, "GET", "/api/sessions").status_code == 200
    finally:
        assert trusted.stop() == 0


def test_the_openapi_file_lists_every_api_route(front):
    import yaml
    served = api(front, "GET", "/openapi.yaml")
    assert served.status_code == 200
    spec = yaml.safe_load(served.text)
    from openapi_spec_validator import validate
    validate(spec)
    for path in ["/api/health", "/api/instances", "/api/tools", "/api/sessions", "/api/sessions/{id}", "/api/sessions/{id}/log",
                 "/api/sessions/{id}/state", "/api/sessions/{id}/design", "/api/sessions/{id}/render",
                 "/api/sessions/{id}/tools/{tool}", "/api/events"]:
        assert path in spec["paths"], path


async def test_mcp_sessions_and_event_streams_are_capped_with_the_setting_named(system):
    front = HTTPFront(system, name="mcp-front-capped", env={"BMCP_HTTP_SESSIONS": "2", "BMCP_SSE_STREAMS": "1"})
    headers = {**front.auth, "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
    try:
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            opened = []
            for _ in range(2):
                answer = await http.post(front.url + "/mcp", json=init)
                assert answer.status_code == 200, answer.text
                opened.append(answer.headers["mcp-session-id"])
            third = await http.post(front.url + "/mcp", json=init)
            assert third.status_code == 503 and "BMCP_HTTP_SESSIONS=2" in third.text, third.text
            await http.delete(front.url + "/mcp", headers={"Mcp-Session-Id": opened[0], "MCP-Protocol-Version": "2025-06-18"})
            assert (await http.post(front.url + "/mcp", json=init)).status_code == 200

            # One event stream held open: the next request that would stream is refused whole.
            async with http.stream("GET", front.url + "/api/events") as events:
                assert events.status_code == 200
                async for _ in events.aiter_bytes():
                    break  # its first bytes: it is open
                refused = await http.get(front.url + "/api/events")
                assert refused.status_code == 503 and "BMCP_SSE_STREAMS=1" in refused.text, refused.text
                assert refused.json()["error"]["data"]["setting"] == "BMCP_SSE_STREAMS"
    finally:
        assert front.stop() == 0, front.process.text()
