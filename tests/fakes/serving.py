"""Serving a fake provider's aiohttp app on a loopback port, for as long as a test needs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """The base URL (no trailing slash) of ``app`` started on a free loopback port; stopped on exit."""
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
