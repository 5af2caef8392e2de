"""A webhook subscriber as its developers would write it: verify the signature over the raw body, refuse
stale timestamps, drop a delivery seen before; ``fail`` queues statuses to answer first (500, 429, 410)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from notify import signing


@dataclass
class Receiver:
    secret: str
    fail: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a request was refused (bad signature, replay)
    seen: set[str] = field(default_factory=set)
    clock: Any = time.time

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self.hook)
        return app

    async def hook(self, request: web.Request) -> web.Response:
        body = await request.read()  # the raw bytes: re-serialised JSON would not match the signature
        try:
            signing.verify(self.secret, request.headers.get(signing.SIGNATURE, ""), body, self.clock())
        except signing.BadSignature as exc:
            self.refused.append(str(exc))
            return web.Response(status=401, text=str(exc))
        if self.fail:
            return web.Response(status=self.fail.pop(0), headers={"Retry-After": "1"})
        delivery = request.headers.get(signing.DELIVERY, "")
        if delivery in self.seen:  # a retry of something already handled: acknowledge, do nothing
            return web.Response(status=200, text="duplicate")
        self.seen.add(delivery)
        self.events.append({**json.loads(body), "_event": request.headers.get(signing.EVENT)})
        return web.Response(status=204)
