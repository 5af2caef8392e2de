"""Open311 served in-process per backend, in the shape the factory gives it: a sub-application under
``/open311/v2`` of an app with gridline's middlewares, over the session's case context and clock.

The spec summary in ``shared/`` is the reference the answers are checked against; its field lists
are read from it, and the tests that need it skip when it is absent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy

from bot import middlewares, open311
from bot.keys import CASES, METRICS
from bot.metrics import Metrics
from bot.open311.keys import create_client
from tests.conftest import Services, shared_data

Client = TestClient[web.Request, web.Application]


def spec_text() -> str:
    return shared_data("standards/open311_georeport_v2.md").read_text(encoding="utf-8")


def spec_fields(heading: str) -> list[str]:
    """The back-quoted field names of the first paragraph under ``## heading`` in the spec summary
    (``endpoints[]`` counts as ``endpoints``)."""
    text = spec_text()
    start = text.index(f"## {heading}")
    body = text[start:].split("\n", 1)[1].strip().split("\n\n", 1)[0]
    return re.findall(r"`([a-z_]+)(?:\[\])?`", re.sub(r"\([^)]*\)", "", body))  # (…) holds values, not fields


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    headers: CIMultiDictProxy[str]

    def json(self) -> Any:
        import json

        return json.loads(self.text)


@dataclass
class Open311:
    client: Client
    svc: Services
    key: str
    name: str

    async def call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                   data: Any = None) -> Answer:
        async with self.client.request(method, "/open311/v2" + path, params=params, data=data) as resp:
            return Answer(resp.status, await resp.text(), resp.headers)

    def point(self, n: int = 0) -> tuple[float, float]:
        index = self.svc.ctx.grid.index
        inside = [c.code for c in index.leaves[:20]
                  if (p := index.locate(*index.centroid(c.code))) and p.code == c.code]
        lng, lat = index.centroid(inside[n])
        return lat, lng


async def serve(services: Services, config: open311.Open311Config) -> Client:
    app = web.Application(middlewares=[middlewares.request_context, middlewares.errors])
    app[CASES], app[METRICS] = services.ctx, Metrics.create()
    app.add_subapp(open311.PREFIX, open311.build(config))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture(scope="session")
async def o311_server(services: Services) -> AsyncIterator[Open311]:
    client = await serve(services, open311.Open311Config())
    name = "sys-" + uuid.uuid4().hex[:8]
    yield Open311(client, services, await create_client(name, private=True), name)
    await client.close()


@pytest.fixture
def o311(o311_server: Open311, svc: Services) -> Open311:
    return o311_server


@pytest.fixture(scope="session")
async def open_server(services: Services) -> AsyncIterator[Client]:
    """Reads open to anyone, one jurisdiction served."""
    client = await serve(services, open311.Open311Config(public_reads=True, jurisdiction_id="dapeng.example.cn",
                                                         public_url="https://gov.example.cn/open311/v2"))
    yield client
    await client.close()


def form(o311: Open311, **fields: str) -> dict[str, str]:
    lat, lng = o311.point()
    return {"api_key": o311.key, "service_code": "01037", "lat": str(lat), "long": str(lng),
            "description": "路灯不亮了", **fields}


__all__ = ["Answer", "Open311", "Path", "form", "spec_fields"]
