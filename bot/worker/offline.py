"""The worker pages' service worker, served from ``/worker/sw.js`` so that its scope is all of ``/worker/``.

It caches the app shell (the versioned stylesheet and scripts) and the pages of my open tasks, so a
worker in a basement can still read their cases; actions taken meanwhile wait in the page's queue
(static/offline.js, IndexedDB) and are sent, each with its idempotency key, when the signal returns.
The script carries the static files' version: a new release installs a new worker and drops old shells.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from aiohttp import web

from bot.web.render import SECURITY_HEADERS, VERSION

routes = web.RouteTableDef()
SOURCE = Path(__file__).resolve().parent / "sw.js"


@cache
def _source() -> str:
    return SOURCE.read_text(encoding="utf-8")


@routes.get("/sw.js", name="sw")
async def service_worker(request: web.Request) -> web.Response:
    source = _source()
    version = hashlib.sha256((request.config_dict[VERSION] + source).encode()).hexdigest()[:10]
    return web.Response(text=source.replace("__VERSION__", request.config_dict[VERSION]).replace(
        "__WORKER__", version), content_type="application/javascript", headers={
        **SECURITY_HEADERS, "Cache-Control": "no-cache",  # checked at every start: a release reaches phones
        "Service-Worker-Allowed": "/worker/"})
