"""A fake upstream city platform speaking Open311 GeoReport v2 (JSON), for the upstream client's tests.

As the spec and real endpoints (SeeClickFix, Chicago, Bonn) answer: ``POST /requests.json`` with a form
(``api_key``, ``service_code``, ``lat``/``long`` or ``address_string``, ``description``) →
``[{"service_request_id": "…", "service_notice": "…"}]`` (or ``[{"token": "…"}]`` when requests are
created later); ``GET /tokens/{token}.json``; ``GET /requests.json?service_request_id=a,b``. Errors are
``[{"code": 403, "description": "…"}]`` with that HTTP status. ``fail`` queues answers to give first
(a 503, a 429, a page of HTML), to exercise retries.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = "application/json"


def error(status: int, description: str) -> web.Response:
    return web.Response(status=status, text=json.dumps([{"code": status, "description": description}]),
                        content_type=JSON)


@dataclass
class FakeUpstream:
    api_key: str = "k-upstream-1"
    services: set[str] = field(default_factory=lambda: {"pothole", "streetlight"})
    jurisdiction: str | None = None
    by_token: bool = False  # answer tokens; the id appears once ``publish`` is called
    fail: list[web.Response] = field(default_factory=list)  # answered before anything else, in order
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    posts: list[dict[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(638344))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/requests.json", self.create)
        app.router.add_get("/requests.json", self.list)
        app.router.add_get("/tokens/{token}.json", self.token)
        return app

    def _refusal(self, query: dict[str, str]) -> web.Response | None:
        if self.fail:
            return self.fail.pop(0)
        if self.jurisdiction and query.get("jurisdiction_id") != self.jurisdiction:
            return error(404, "jurisdiction_id not found")
        return None

    async def create(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        if (bad := self._refusal(form)) is not None:
            return bad
        if form.get("api_key") != self.api_key:
            return error(403, "Invalid api_key")
        if form.get("service_code") not in self.services:
            return error(400, f"service_code {form.get('service_code')!r} not found")
        if not ({"lat", "long"} <= form.keys() or form.get("address_string")):
            return error(400, "lat and long, address_string or address_id required")
        self.posts.append(form)
        sid = str(next(self._ids))
        self.requests[sid] = {"service_request_id": sid, "status": "open", "status_notes": None,
                              "service_code": form["service_code"], "description": form.get("description"),
                              "agency_responsible": None, "updated_datetime": "2026-12-06T09:00:00+08:00"}
        if self.by_token:
            token = f"t{sid}"
            self.tokens[token] = None
            return web.json_response([{"token": token}], status=201)
        return web.json_response([{"service_request_id": sid, "service_notice": "受理，3个工作日内处理",
                                   "account_id": None}], status=201)

    def publish(self, token: str) -> str:
        sid = token.removeprefix("t")
        self.tokens[token] = sid
        return sid

    def close(self, sid: str, notes: str, agency: str = "区城管局") -> None:
        self.requests[sid].update(status="closed", status_notes=notes, agency_responsible=agency)

    async def token(self, request: web.Request) -> web.Response:
        if (bad := self._refusal(dict(request.query))) is not None:
            return bad
        token = request.match_info["token"]
        if token not in self.tokens:
            return error(404, "token not found")
        return web.json_response([{"service_request_id": self.tokens[token], "token": token}])

    async def list(self, request: web.Request) -> web.Response:
        if (bad := self._refusal(dict(request.query))) is not None:
            return bad
        ids = [i for i in request.query.get("service_request_id", "").split(",") if i]
        return web.json_response([self.requests[i] for i in ids if i in self.requests])
