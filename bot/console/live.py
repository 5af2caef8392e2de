"""The desk's live queue counts as Server-Sent Events: ``GET /console/counts/stream`` (the desk's filters).

Every ``TICK_S`` the stream reads the counts with the function the page and ``counts.json`` use
(``intake.cases.desk.counts``, in the user's scope, read afresh each tick) and sends them when they differ
from what it sent last; nothing is pushed while nothing changes (no domain event reaches other processes,
so each stream looks; one count query set per open desk every few seconds, as short polling would be).

Before each look the session is checked again without renewing its idle timeout (an open tab is not the
user at work): a sign-out, an admin's revocation, a deactivated user or a changed role ends the stream
with an ``end`` event, and the page stops listening. A stream lives at most ``MAX_S``; the browser's
EventSource then reconnects through the full sign-in check. At most ``PER_USER`` streams per user and
process: more get 429, and the page falls back to polling ``counts.json``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

from aiohttp import web

from bot.console.auth import DESK_ROLES, ME, sessions
from bot.console.views import desk_filter
from bot.keys import CASES
from bot.web.auth import staff_actor
from intake.cases import desk as queues
from intake.store.models import User

routes = web.RouteTableDef()
TICK_S, KEEPALIVE_S, MAX_S, PER_USER = 3.0, 20.0, 600.0, 4
RETRY_MS = 10_000  # how long the browser waits before reconnecting after a stream ends
STREAMS: Counter[int] = Counter()  # open streams per user id, in this process


def event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


@routes.get("/counts/stream", name="counts_stream")
async def stream(request: web.Request) -> web.StreamResponse:
    me, streams = request[ME], STREAMS
    user_id = me.actor.user_id or 0
    if streams[user_id] >= PER_USER:
        return web.Response(status=429, text="too many live streams; polling will do", headers={"Retry-After": "60"})
    streams[user_id] += 1
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    try:
        await response.prepare(request)
        await response.write(f"retry: {RETRY_MS}\n\n".encode())
        await _pump(request, response, me.session.sid, user_id)
    except ConnectionResetError:
        pass  # the browser went away: nothing to send it
    finally:
        streams[user_id] -= 1
    return response


async def _pump(request: web.Request, response: web.StreamResponse, sid: str, user_id: int) -> None:
    ctx, flt, store = request.config_dict[CASES], desk_filter(request), sessions(request)
    started = quiet = time.monotonic()
    last: dict[str, int] | None = None
    while time.monotonic() - started < MAX_S:
        if request.transport is None or request.transport.is_closing():
            return
        user = await User.get_or_none(id=user_id, active=True)
        if user is None or user.role not in DESK_ROLES or not await store.alive(sid):
            await response.write(event("end", "signed-out"))
            return
        found = await queues.counts(await staff_actor(user), ctx.clock(), flt)
        if found != last:
            await response.write(event("counts", found))
            last, quiet = found, time.monotonic()
        elif time.monotonic() - quiet >= KEEPALIVE_S:
            await response.write(b": keepalive\n\n")  # a comment: proxies keep the connection open
            quiet = time.monotonic()
        await asyncio.sleep(TICK_S)
