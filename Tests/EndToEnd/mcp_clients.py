"""The official Python MCP client, as the end-to-end tests use it."""

from __future__ import annotations

from contextlib import asynccontextmanager

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


@asynccontextmanager
async def mcp_stdio(system, *args: str, **session_options):
    """mcp-front started over stdio by the client, wired to `system`."""
    params = StdioServerParameters(command=str(system.bin / "mcp-front"), args=list(args), env=system.mcp_front_env())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, **session_options) as client:
            await client.initialize()
            yield client


@asynccontextmanager
async def mcp_http(url: str, token: str | None = None):
    """A Streamable HTTP MCP session at `url` (…/mcp), sending `token` as its bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with create_mcp_http_client(headers=headers) as http, \
            streamable_http_client(url, http_client=http) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            yield client


def text_of(result) -> str:
    return "".join(part.text for part in result.content if getattr(part, "type", "") == "text")
