"""A resident's turn: the dialogue runs for one message at a time, its answer given or pushed, and a turn
whose process died half-done finished before the turns that follow it (#18).

A turn left half-done (``kill -9`` after the message was stored) is finished by whoever next holds the
resident's turn: WeChat's retry of that message, the resident's next message, or the recovery walk
(:mod:`bot.wechat.recovery`). Each of them takes the dead message's claim only with the resident's turn in
hand, so the earlier turn always runs before a later one — the "1" that confirms a report finds the location
the dead turn was storing, instead of running first and asking for the location again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from aiohttp import web

from bot.keys import CASES, KV, SETTINGS, WECHAT_DIALOGUE, WECHAT_REDELIVERY
from bot.wechat.errors import CallbackError
from bot.wechat.messages import Message, message_from_fields
from bot.wechat.redelivery import RUNNING, TURN_TTL, Admission
from bot.wechat.service import CHANNEL
from intake.arrivals import Arrival, answered, unanswered_before
from intake.store.models import InboundMessage
from notify.types import Notification, Recipient

log = logging.getLogger("gridline.wechat")
LOST_AFTER_S = 2 * TURN_TTL  # a claim gone with Redis: a live turn, waiting its place, ends before this


async def answer(app: web.Application, msg: Message, arrival: Arrival | None, admission: Admission, *,
                 late: bool = False) -> str:
    """Run the dialogue in the resident's turn; if the passive-reply window has passed by then (or ``late``),
    push the answer. Earlier turns of the resident left half-done run first, in order."""
    started, key, user = time.monotonic(), msg.dedup_key, msg.from_user
    if admission is Admission.BEHIND:
        await app[WECHAT_REDELIVERY].take_turn(user, key)
    if arrival is None or arrival.earlier:
        await earlier_first(app, msg)
    return await _run(app, msg, arrival, late=late, started=started)


async def finish(app: web.Application, msg: Message) -> None:
    """Run a turn its process left half-done, the resident's turn and the message's claim held here."""
    await answer(app, msg, None, Admission.FIRST, late=True)


async def earlier_first(app: web.Application, msg: Message) -> None:
    """With the resident's turn held: finish the resident's earlier messages whose process died."""
    now = app[CASES].clock()
    for row in await unanswered_before(CHANNEL, msg.from_user, msg.dedup_key, now):
        if (earlier := await take_dead(app, row, now)) is not None:
            await _run(app, earlier, None, late=True, started=time.monotonic())


async def dead(app: web.Application, row: InboundMessage, now: datetime) -> bool:
    """Whether the message's turn died half-done: its claim "running" under a dead lease, or gone (with
    Redis) for longer than any live turn runs. A claim holding a reply was answered by a process that died
    before marking it: marked here."""
    claim = await app[KV].get(f"wx:msg:{row.dedup_key}")
    if claim is None:
        return (now - row.received_at).total_seconds() >= LOST_AFTER_S
    if not claim.startswith(RUNNING):
        await answered(row.dedup_key, now)
        return False
    return not await app[WECHAT_REDELIVERY].alive(claim)


async def take_dead(app: web.Application, row: InboundMessage, now: datetime) -> Message | None:
    """The stored message, when its turn died and this process now holds its claim; else ``None``."""
    redelivery, key = app[WECHAT_REDELIVERY], row.dedup_key
    if not await dead(app, row, now):
        return None
    claim = await app[KV].get(f"wx:msg:{key}")
    if not await (redelivery.reclaim(key) if claim is None else redelivery.take_over(key, claim)):
        return None  # taken by a retry or another walk first
    try:
        return message_from_fields(row.payload)
    except CallbackError:  # cannot happen for a message the callback parsed; never blocks the walk
        await redelivery.remember(key, "", row.external_id)
        await answered(key, now)
        return None


async def _run(app: web.Application, msg: Message, arrival: Arrival | None, *, late: bool, started: float) -> str:
    key, user = msg.dedup_key, msg.from_user
    dialogue, redelivery = app[WECHAT_DIALOGUE], app[WECHAT_REDELIVERY]
    if late:
        log.warning("finishing a turn its process left half-done", extra={"dedup_key": key[:80]})
    try:
        response = await dialogue.respond(msg, arrival)
    except Exception:
        log.exception("wechat dialogue failed", extra={"dedup_key": key})
        await redelivery.remember(key, "", user)
        return ""
    reply = response.reply or ""
    late = late or time.monotonic() - started >= app[SETTINGS].wechat.reply_budget_s
    # The reply redeliveries repeat, the resident's draft and the end of the turn: one round trip.
    await redelivery.remember(key, "" if late else reply, user, dialogue.drafts.entry(user, response.draft))
    await _answered(app, key)
    if late and reply:
        await app[CASES].notifier.publish([Notification(
            kind="wechat.reply", recipient=Recipient("resident", user, "wechat"), key=f"reply:{key}",
            payload={"text": reply})])
    return reply


async def _answered(app: web.Application, key: str) -> None:
    """Mark the stored message's turn over. A failed mark loses nothing: the recovery walk finds the claim
    holding the reply and marks it then."""
    try:
        await answered(key, app[CASES].clock())
    except Exception as exc:  # the database is away: the reply is decided all the same
        log.warning("answered mark not written", extra={"dedup_key": key[:80], "error": type(exc).__name__})
