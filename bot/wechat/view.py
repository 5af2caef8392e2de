"""``GET /wechat`` (server verification) and ``POST /wechat`` (messages and events).

Order of work for a POST: open and verify the callback (nothing is stored for
a bad one), refuse a replayed nonce and claim the message against redeliveries
(one Redis round trip), store what the resident sent (one SQL statement on
PostgreSQL), then answer within the reply budget — passively
when the dialogue is done in time, otherwise ``success`` now and the answer
later as a customer-service message (客服消息) through the notify port.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

from aiohttp import web

from bot.jsonout import json_response
from bot.keys import SETTINGS, TASKS, WECHAT, WECHAT_DIALOGUE, WECHAT_REDELIVERY
from bot.wechat import MAX_BODY, CallbackError, Inbound, open_callback, render_reply, turns, verify_echo
from bot.wechat.redelivery import GIVEN_BACK, TAKEN_OVER, Admission
from intake.arrivals import Arrival, ended
from intake.errors import Invalid
from intake.store import db
from notify.http import read_capped

log = logging.getLogger("gridline.wechat")
routes = web.RouteTableDef()
AWAY_RETRY_S = 0.5  # the database away: how often a callback tries to store its message again
AWAY_MARGIN_S = 1.0  # ... until this long before the reply budget ends


def success() -> web.Response:
    """WeChat's "received, no reply" answer (a new Response each time: aiohttp cannot send one twice)."""
    return web.Response(text="success", content_type="text/plain")


@routes.get("/wechat")
async def verify(request: web.Request) -> web.Response:
    try:
        echo = verify_echo(request.app[WECHAT], request.query, time.time())
    except CallbackError as exc:
        return _refuse(exc, request)
    return web.Response(text=echo, content_type="text/plain")


@routes.post("/wechat")
async def callback(request: web.Request) -> web.Response:
    body = await read_capped(request.content, MAX_BODY)
    try:
        inbound = open_callback(request.app[WECHAT], request.query, body, time.time())
    except CallbackError as exc:
        return _refuse(exc, request)
    key, user = inbound.message.dedup_key, inbound.message.from_user
    redelivery = request.app[WECHAT_REDELIVERY]
    admission = await redelivery.admit(inbound.nonce, inbound.timestamp, key, user)
    if admission is Admission.REPLAYED:
        return _refuse(CallbackError("replayed_nonce"), request)
    budget = request.app[SETTINGS].wechat.reply_budget_s
    taken_over = False
    if admission is Admission.REDELIVERY:
        earlier = await redelivery.wait_for_reply(key, user, budget)
        if earlier is None:  # the first delivery is still at it
            return await _kept(request.app, inbound)
        if earlier not in (TAKEN_OVER, GIVEN_BACK):
            return _reply(request, inbound, earlier)
        # The first delivery's process died (finish it here), or it could not store the message (store it here).
        admission, taken_over = Admission.BEHIND, earlier == TAKEN_OVER
    try:
        arrival = await _arrive(request.app, inbound)
    except Invalid as exc:  # a value longer than its column: no WeChat retry can store it
        log.warning("wechat message not stored", extra={"dedup_key": key[:80], "problem": exc.message})
        return success()
    except db.AWAY:  # nothing stored, nothing acknowledged: WeChat's retry stores it once the database is back
        return _away(key)
    if not arrival.stored and not taken_over and await ended(key):  # stored and answered by a delivery whose
        await redelivery.release(key, user, claim=False)           # claim expired: never twice the effect
        return success()
    # Stored before and not answered: by a retry that waited for this delivery (:func:`_kept`), or by a dead
    # process whose claim was taken over. The turn runs (again); a case it opened is found by the message.
    task = asyncio.create_task(turns.answer(request.app, inbound.message, arrival, admission))
    request.app[TASKS].add(task)
    task.add_done_callback(request.app[TASKS].discard)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if not done:
        return success()  # the answer follows as a customer-service message
    return _reply(request, inbound, task.result())


async def _kept(app: web.Application, inbound: Inbound) -> web.Response:
    """A retry whose first delivery has not answered within the budget (a slow or stalled process) stores the
    message before it answers ``success``: were that process killed before storing, WeChat, told the message
    was received, would never send it again. Never stored twice (the key is unique); the first delivery runs
    the turn all the same, and if it dies, a later retry or the recovery walk does."""
    msg = inbound.message
    try:
        await app[WECHAT_DIALOGUE].arrive(msg, msg.dedup_key, dict(msg.raw))
    except Invalid:
        return success()  # no delivery can store it: the first one answers the same
    except db.AWAY:
        return _away(msg.dedup_key)
    return success()


async def _arrive(app: web.Application, inbound: Inbound) -> Arrival:
    """Store the message; if that fails, give the claim back so that WeChat's redelivery can store it.

    While the database is away (a restart) the store is tried again until shortly before the reply budget:
    each WeChat try then covers ~4 s of the outage instead of an instant, and a concurrent redelivery, which
    waits the whole budget, sees the claim given back in time to try itself rather than answer ``success``."""
    msg, redelivery = inbound.message, app[WECHAT_REDELIVERY]
    give_up = time.monotonic() + app[SETTINGS].wechat.reply_budget_s - AWAY_MARGIN_S
    while True:
        try:
            return await app[WECHAT_DIALOGUE].arrive(msg, msg.dedup_key, dict(msg.raw))
        except Invalid:
            await redelivery.remember(msg.dedup_key, "", msg.from_user)  # retries answer success too
            raise
        except db.AWAY:
            if time.monotonic() + AWAY_RETRY_S < give_up:
                await asyncio.sleep(AWAY_RETRY_S)
                continue
            await redelivery.release(msg.dedup_key, msg.from_user, claim=True)
            raise
        except Exception:
            await redelivery.release(msg.dedup_key, msg.from_user, claim=True)
            raise  # a 500: WeChat delivers it again within seconds


def _away(key: str) -> web.Response:
    log.warning("wechat message not stored: the database is away; answered 503 for WeChat to retry",
                extra={"dedup_key": key[:80]})
    return json_response({"error": "unavailable", "message": "database unavailable; retry"}, status=503,
                         headers={"Retry-After": "5"})


def _reply(request: web.Request, inbound: Inbound, text: str | None) -> web.Response:
    if not text:
        return success()
    body = render_reply(request.app[WECHAT], inbound, text, time.time(), secrets.token_hex(8))
    return web.Response(body=body, content_type="application/xml", charset="utf-8")


def _refuse(exc: CallbackError, request: web.Request) -> web.Response:
    log.warning("wechat callback refused", extra={"reason": exc.reason, "status": exc.status,
                                                   "remote": request.remote})
    return json_response({"error": exc.reason, "message": str(exc)}, status=exc.status)

