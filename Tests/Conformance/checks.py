"""The conformance checks, written once against a small adapter each client family provides.

Run as a script by `test_conformance.py`, one process per (client, transport) cell, so each
client library lives in its own environment (mcp 1.x cannot share one with mcp 2.x). It prints
one JSON object: check name -> "pass" or the reason it failed. Imports only the standard
library and anyio, which every MCP client brings.
"""

from __future__ import annotations

import json
import traceback

import anyio

SLOW = "import time\ntime.sleep(3)\nprint('slept')"
CHECKS = ["list_tools", "list_prompts", "call_tool", "list_resources", "read_resource", "get_prompt",
          "log_updates", "progress", "cancel", "bad_argument"]


async def listened_update(subscription, uri: str, action) -> bool:
    """2026-07-28: run `action`, then wait on the listen stream for `uri`'s update."""
    await action()
    with anyio.fail_after(20):
        async for event in subscription:
            if getattr(event, "uri", None) == uri:
                return True
    return False


async def subscribed_update(pending: set[str], uri: str, action) -> bool:
    """The handshake era: run `action`, then wait until the client's message handler has put
    `uri` in `pending` (after `resources/subscribe`)."""
    await action()
    with anyio.fail_after(20):
        while uri not in pending:
            await anyio.sleep(0.02)
    return True


async def run_checks(client) -> dict[str, str]:
    """`client` has: list_tools() -> [names], list_prompts() -> [names], list_resources() ->
    [uris], call(name, args, on_progress=None) -> (is_error, [texts]), get_prompt(name, args)
    -> [texts], read(uri) -> text, updates(uri, action) -> bool (whether an update for uri came
    while action ran)."""
    results: dict[str, str] = {}
    facts: dict = {}

    async def check(name, body):
        try:
            with anyio.fail_after(90):
                outcome = await body()
            results[name] = "pass" if outcome is True else f"fail: {outcome}"
        except BaseException as error:  # noqa: BLE001 - every failure is a cell's answer
            if isinstance(error, KeyboardInterrupt):
                raise
            results[name] = f"fail: {type(error).__name__}: {error}"[:400]
            traceback.print_exc()

    async def list_tools():
        names = await client.list_tools()
        return {"get_scene_info", "execute_blender_code", "create_session"} <= set(names) or f"tools were {names}"

    async def list_prompts():
        facts["prompts"] = await client.list_prompts()
        return len(facts["prompts"]) > 0 or "no prompts"

    async def call_tool():
        is_error, texts = await client.call("create_session", {"name": "conformance"})
        if is_error:
            return f"create_session failed: {texts}"
        facts["session"] = json.loads(texts[0])["session_id"]
        is_error, texts = await client.call("execute_blender_code", {"code": "print('hello from blender')", "session_id": facts["session"]})
        return (not is_error and "hello from blender" in texts[0]) or f"execute_blender_code said {texts}"

    async def list_resources():
        uris = await client.list_resources()
        wanted = f"session://{facts['session']}/command.log"
        return wanted in uris or f"{wanted} not in {uris[:8]}…"

    async def read_resource():
        text = await client.read(f"session://{facts['session']}/command.log")
        return "execute_blender_code" in text or f"command.log was {text[:200]!r}"

    async def get_prompt():
        texts = await client.get_prompt(facts["prompts"][0], {})
        return (len(texts) > 0 and len(texts[0]) > 20) or f"prompt text was {texts}"

    async def log_updates():
        uri = f"session://{facts['session']}/command.log"

        async def action():
            await client.call("get_scene_info", {"session_id": facts["session"]})

        return await client.updates(uri, action) or "no update for the session's command.log"

    async def progress():
        seen = []

        async def on_progress(value, total, message):
            seen.append((value, total, message))

        is_error, texts = await client.call("get_scene_info", {"session_id": facts["session"]}, on_progress=on_progress)
        # Both notifications travel ahead of the result on the call's own stream (every era,
        # both transports): a client that stops listening at the result has them all.
        return (not is_error and [v for v, _, _ in seen] == [1, 2]) or f"progress was {seen}; the result (error={is_error}): {texts}"

    async def cancel():
        outcome = {}

        async def slow():
            outcome["result"] = await client.call("execute_blender_code", {"code": SLOW, "session_id": facts["session"]})

        async with anyio.create_task_group() as group:
            group.start_soon(slow)
            await anyio.sleep(0.7)
            group.cancel_scope.cancel()
        if "result" in outcome:
            return f"the call finished although it was cancelled: {outcome['result']}"
        is_error, texts = await client.call("get_scene_info", {"session_id": facts["session"]})
        return (not is_error and "objects" in texts[0]) or f"the next call said {texts}"

    async def bad_argument():
        is_error, texts = await client.call("get_object_info", {"object_name": 123, "session_id": facts["session"]})
        text = " ".join(texts)
        return (is_error and "object_name" in text and "string" in text) or f"answer was error={is_error} {text[:200]}"

    for name, body in [("list_tools", list_tools), ("list_prompts", list_prompts), ("call_tool", call_tool),
                       ("list_resources", list_resources), ("read_resource", read_resource), ("get_prompt", get_prompt),
                       ("log_updates", log_updates), ("progress", progress), ("cancel", cancel),
                       ("bad_argument", bad_argument)]:
        if name in ("list_resources", "read_resource", "log_updates", "progress", "cancel", "bad_argument") and "session" not in facts:
            results[name] = "fail: no session (call_tool failed)"
            continue
        await check(name, body)
    return results
