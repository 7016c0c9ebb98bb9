"""One conformance cell for the official Python client (`mcp` 2.x, in `legacy`, `auto` or
`2026-07-28` mode) or fastmcp's client, over stdio or Streamable HTTP. Prints the checks'
results as JSON on its last line. See checks.py."""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import asynccontextmanager

import anyio

sys.path.insert(0, os.path.dirname(__file__))
from checks import listened_update, run_checks, subscribed_update  # noqa: E402


def texts(result) -> list[str]:
    return [part.text for part in result.content if getattr(part, "type", "") == "text"]


class OfficialClient:
    """`mcp.Client` 2.x; resource updates through `listen` at 2026-07-28, through
    `resources/subscribe` and the message handler at the handshake era."""

    def __init__(self, client, updates):
        self.client = client
        self.pending_updates = updates

    async def list_tools(self):
        return [tool.name for tool in (await self.client.list_tools()).tools]

    async def list_prompts(self):
        return [prompt.name for prompt in (await self.client.list_prompts()).prompts]

    async def list_resources(self):
        return [str(resource.uri) for resource in (await self.client.list_resources(cache_mode="bypass")).resources]

    async def call(self, name, arguments, on_progress=None):
        result = await self.client.call_tool(name, arguments, progress_callback=on_progress)
        return bool(result.is_error), texts(result)

    async def get_prompt(self, name, arguments):
        result = await self.client.get_prompt(name, arguments)
        return [message.content.text for message in result.messages]

    async def read(self, uri):
        result = await self.client.read_resource(uri, cache_mode="bypass")
        return "".join(getattr(content, "text", "") for content in result.contents)

    async def updates(self, uri, action):
        if self.client.protocol_version >= "2026":
            async with self.client.listen(resource_subscriptions=[uri]) as subscription:
                if uri not in (subscription.honored.resource_subscriptions or []):
                    return False
                return await listened_update(subscription, uri, action)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            await self.client.subscribe_resource(uri)
        return await subscribed_update(self.pending_updates, uri, action)


class FastMCPClient(OfficialClient):
    """fastmcp 4.x's `Client` (default mode: auto), its results in fastmcp's own shapes."""

    async def list_tools(self):
        return [tool.name for tool in await self.client.list_tools()]

    async def list_prompts(self):
        return [prompt.name for prompt in await self.client.list_prompts()]

    async def list_resources(self):
        return [str(resource.uri) for resource in await self.client.list_resources()]

    async def call(self, name, arguments, on_progress=None):
        result = await self.client.call_tool(name, arguments, progress_handler=on_progress, raise_on_error=False)
        return bool(result.is_error), texts(result)

    async def read(self, uri):
        contents = await self.client.read_resource(uri)
        return "".join(getattr(content, "text", "") for content in contents)

    async def updates(self, uri, action):
        if (self.client.protocol_version or "") >= "2026":
            from mcp.client.subscriptions import listen
            async with listen(self.client.session, resource_subscriptions=[uri]) as subscription:
                return await listened_update(subscription, uri, action)
        await self.client.session.subscribe_resource(uri)
        return await subscribed_update(self.pending_updates, uri, action)


@asynccontextmanager
async def connect(args, updates: set[str]):
    async def on_message(message):
        root = getattr(message, "root", message)
        if getattr(root, "method", "") == "notifications/resources/updated":
            updates.add(str(root.params.uri))

    if args.client == "fastmcp":
        from fastmcp import Client
        from fastmcp.client.transports import StdioTransport, StreamableHttpTransport
        if args.transport == "stdio":
            transport = StdioTransport(command=args.command, args=[], env=json.loads(os.environ["BMCP_FRONT_ENV"]))
        else:
            transport = StreamableHttpTransport(args.url, headers={"Authorization": f"Bearer {args.token}"})
        async with Client(transport, message_handler=on_message, timeout=120) as client:
            yield FastMCPClient(client, updates)
        return

    from mcp import Client, StdioServerParameters
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    mode = args.client.removeprefix("mcp2-")
    if args.transport == "stdio":
        server = StdioServerParameters(command=args.command, args=[], env=json.loads(os.environ["BMCP_FRONT_ENV"]))
        async with Client(server, mode=mode, message_handler=on_message) as client:
            yield OfficialClient(client, updates)
    else:
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {args.token}"}) as http:
            async with Client(streamable_http_client(args.url, http_client=http), mode=mode, message_handler=on_message) as client:
                yield OfficialClient(client, updates)


async def main(args):
    updates: set[str] = set()
    async with connect(args, updates) as client:
        results = await run_checks(client)
        results["_protocol_version"] = getattr(client.client, "protocol_version", None) or ""
    print(json.dumps(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True, choices=["mcp2-legacy", "mcp2-auto", "mcp2-2026-07-28", "fastmcp"])
    parser.add_argument("--transport", required=True, choices=["stdio", "http"])
    parser.add_argument("--command", help="mcp-front, for stdio (its environment in BMCP_FRONT_ENV)")
    parser.add_argument("--url")
    parser.add_argument("--token")
    anyio.run(main, parser.parse_args())
