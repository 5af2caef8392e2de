"""``GET /wechat`` (server verification) and ``POST /wechat`` (messages and events).

Order of work for a POST: open and verify the callback (nothing is stored for
a bad one), refuse a replayed nonce, claim the message against redeliveries,
store what the resident sent, then answer within the reply budget — passively
when the dialogue is done in time, otherwise ``success`` now and the answer
later as a customer-service message (客服消息) through the notify port.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

from aiohttp import web

from bot.keys import CASES, SETTINGS, TASKS, WECHAT, WECHAT_DIALOGUE, WECHAT_REDELIVERY
from bot.wechat import MAX_BODY, CallbackError, Inbound, open_callback, render_reply, verify_echo
from notify.http import read_capped
from notify.types import Notification, Recipient

log = logging.getLogger("gridline.wechat")
routes = web.RouteTableDef()


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
    key = inbound.message.dedup_key
    redelivery = request.app[WECHAT_REDELIVERY]
    if not await redelivery.nonce_fresh(inbound.nonce, inbound.timestamp, key):
        return _refuse(CallbackError("replayed_nonce"), request)
    budget = request.app[SETTINGS].wechat_reply_budget
    if not await redelivery.claim(key):
        return _reply(request, inbound, await redelivery.wait_for_reply(key, budget))
    dialogue = request.app[WECHAT_DIALOGUE]
    if not await dialogue.persist(inbound.message, key, dict(inbound.message.raw)):
        return success()  # stored earlier by a delivery whose claim has expired: never twice the effect
    task = asyncio.create_task(_answer(request.app, inbound))
    request.app[TASKS].add(task)
    task.add_done_callback(request.app[TASKS].discard)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if not done:
        return success()  # the answer follows as a customer-service message
    return _reply(request, inbound, task.result())


async def _answer(app: web.Application, inbound: Inbound) -> str:
    """Run the dialogue; if the passive-reply window has passed by the time it is done, push the answer."""
    started, key = time.monotonic(), inbound.message.dedup_key
    try:
        reply = await app[WECHAT_DIALOGUE].answer(inbound.message) or ""
    except Exception:
        log.exception("wechat dialogue failed", extra={"dedup_key": key})
        reply = ""
    late = time.monotonic() - started >= app[SETTINGS].wechat_reply_budget
    await app[WECHAT_REDELIVERY].remember(key, "" if late else reply)
    if late and reply:
        user = inbound.message.from_user
        await app[CASES].notifier.publish([Notification(
            kind="wechat.reply", recipient=Recipient("resident", user, "wechat"), key=f"reply:{key}",
            payload={"text": reply})])
    return reply


def _reply(request: web.Request, inbound: Inbound, text: str | None) -> web.Response:
    if not text:
        return success()
    body = render_reply(request.app[WECHAT], inbound, text, time.time(), secrets.token_hex(8))
    return web.Response(body=body, content_type="application/xml", charset="utf-8")


def _refuse(exc: CallbackError, request: web.Request) -> web.Response:
    log.warning("wechat callback refused", extra={"reason": exc.reason, "status": exc.status,
                                                   "remote": request.remote})
    return web.json_response({"error": exc.reason, "message": str(exc)}, status=exc.status)

