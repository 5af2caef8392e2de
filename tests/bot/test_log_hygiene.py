"""Request headers' values never reach the logs, even when aiohttp refuses the request before our code runs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.bot.conftest import Api

SECRET = "glt_SECRET-token-value-0123456789"


async def _raw(api: Api, request: bytes) -> bytes:
    server = api.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read(4096)
    writer.close()
    return answer


@pytest.mark.parametrize("header", [b"Authorization: Bearer ", b"Cookie: session=", b"X-Api-Key: "])
async def test_an_oversized_header_is_refused_without_logging_its_value(
        api: Api, caplog: pytest.LogCaptureFixture, header: bytes) -> None:
    caplog.set_level(logging.DEBUG)
    oversized = header + SECRET.encode() + b"A" * 9000
    answer = await _raw(api, b"GET /healthz HTTP/1.1\r\nHost: t\r\nUser-Agent: " + SECRET.encode() + b"\r\n"
                        + oversized + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
    await asyncio.sleep(0.05)  # the server logs after answering
    formatter = logging.Formatter("%(name)s %(message)s")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "LineTooLong" in text  # the event is logged …
    assert SECRET not in text and "SECRET" not in text  # … without the header's bytes
