"""The measurements that opened issue 20, repeated (a benchmark: it reports, it does not assert):
log-writer's descriptors after 1,100 sessions made through `/api/sessions`, a 20 MB print
from `execute_blender_code`, and the size of one `resources/list` page.

    python Tests/Benchmarks/bench_bounds.py            # 1,100 sessions
    python Tests/Benchmarks/run.py --only bounds       # the same, into a report
"""

from __future__ import annotations

import argparse
import json
import os
import time

import httpx2 as httpx

from clients import start_system
from report import Section
from system import HTTPFront


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def mcp(front: HTTPFront, body: dict) -> dict:
    """One MCP 2026-07-28 request over HTTP (stateless: no handshake), answered as JSON."""
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "bench-bounds", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, **body}
    body.setdefault("params", {})["_meta"] = meta
    headers = {**front.auth, "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28",
               "Mcp-Method": body["method"]}
    if body["method"] == "tools/call":
        headers["Mcp-Name"] = body["params"]["name"]
    answer = httpx.post(front.url + "/mcp", json=body, headers=headers, timeout=120)
    answer.raise_for_status()
    return answer.json()


def measure(sessions: int) -> dict:
    system = start_system()
    try:
        front = HTTPFront(system, name="mcp-front")
        writer = system.processes["log-writer"].popen.pid
        before = open_fds(writer)
        made = []
        for n in range(sessions):
            answer = httpx.post(front.url + "/api/sessions", json={"name": f"bounds {n}"}, headers=front.auth, timeout=60)
            answer.raise_for_status()
            made.append(answer.json()["session_id"])
        time.sleep(2)  # log-writer has written every session.created by now
        after = open_fds(writer)
        page = mcp(front, {"method": "resources/list"})["result"]
        # A session of this MCP client's own (one made through /api belongs to the API's client).
        created = mcp(front, {"method": "tools/call", "params": {"name": "create_session", "arguments": {"name": "print"}}})
        session = json.loads(created["result"]["content"][0]["text"].split("\n\nNote:")[0].split("Session:")[0])["session_id"]
        started = time.monotonic()
        printed = mcp(front, {"method": "tools/call", "params": {"name": "execute_blender_code", "arguments": {
            "session_id": session, "code": "print('x' * 20_000_000)"}}})["result"]
        took = time.monotonic() - started
        text = " ".join(block.get("text", "") for block in printed.get("content", []))
        follow = mcp(front, {"method": "tools/call", "params": {"name": "get_scene_info", "arguments": {"session_id": session}}})
        return {"sessions": sessions, "fds_before": before, "fds_after": after,
                "page": len(page["resources"]), "next_cursor": bool(page.get("nextCursor")),
                "print_error": printed.get("isError", False), "print_bytes": len(text), "print_seconds": took,
                "dropped_said": "dropped" in text, "next_call_ok": not follow["result"].get("isError", False)}
    finally:
        system.stop()


def run(smoke: bool) -> list[Section]:
    figures = measure(60 if smoke else 1100)
    section = Section(
        "Bounds: issue 20's first measurements, repeated",
        f"One system (headless Blender, every service, mcp-front over HTTP). {figures['sessions']} sessions made through "
        "/api/sessions; then resources/list at 2026-07-28; then `print('x' * 20_000_000)` through execute_blender_code "
        "and a get_scene_info after it on the same link.")
    section.add(f"log-writer descriptors after {figures['sessions']} sessions (before: {figures['fds_before']})",
                {"value": figures["fds_after"]}, unit="fds")
    section.add(f"resources/list: one page (a next cursor: {figures['next_cursor']})", {"value": figures["page"]}, unit="items")
    section.add(f"20 MB print: result text (error: {figures['print_error']}, says what was dropped: {figures['dropped_said']}; "
                f"the next call on the link answered: {figures['next_call_ok']})", {"value": figures["print_bytes"]}, unit="bytes")
    section.add("20 MB print: call time", {"value": figures["print_seconds"] * 1000}, unit="ms")
    return [section]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1100)
    figures = measure(parser.parse_args().sessions)
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
