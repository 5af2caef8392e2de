"""The inbound recovery loop: turns whose process died after storing the message are finished (#18).

A message is stored before anything answers it; its claim (``wx:msg:<key>``) says "running" under its
process's lease until the turn's reply replaces it, and the stored message is marked answered
(``answered_at``) when its turn ends. When the process is killed in between and no WeChat retry comes (the
callback had already answered ``success`` because the reply budget had passed, or all three retries came
before the lease lapsed), nothing would ever finish that turn: the resident's "1" stored, no case, no
answer. This job asks the database for the messages not marked answered, at least one run after they
arrived: a claim still "running" under a dead lease is taken over (as a retry would) and the turn runs
here, its answer pushed as a customer-service message. A case the dead turn had opened is found by the
message (:func:`intake.cases.intake.opened_from`), never opened twice.

The database, not Redis, says which turns are unfinished: Redis may come back empty, and with it the claims
of turns left half-done before the outage. A message whose claim is gone is taken once it is older than
any live turn runs (:data:`LOST_AFTER`); one whose claim holds a reply was answered by a process that died
before marking it, and is only marked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiohttp import web

from bot.keys import CASES, KV, WECHAT_REDELIVERY
from bot.wechat.errors import CallbackError
from bot.wechat.messages import message_from_fields
from bot.wechat.redelivery import RUNNING, TURN_TTL
from bot.wechat.service import CHANNEL
from bot.wechat.view import finish
from intake.arrivals import answered, unanswered
from intake.store.models import InboundMessage

log = logging.getLogger("gridline.wechat")
LOCK = "lock:wechat-recovery"
EVERY = 5.0  # seconds: a lease lapses 3 s after its process died; WeChat's retries span ~15 s
LOST_AFTER = timedelta(seconds=2 * TURN_TTL)  # a live turn, waiting its place behind another, ends before this
HORIZON = timedelta(hours=24)  # older turns are left alone (a customer-service push reaches a resident for 48 h)
BATCH = 500


async def recover(app: web.Application) -> int:
    """One walk; the number of turns finished here."""
    now = app[CASES].clock()
    finished = 0
    for row in await unanswered(CHANNEL, now - HORIZON, now - timedelta(seconds=EVERY), BATCH):
        finished += await _check(app, row, now)
    return finished


async def _check(app: web.Application, row: InboundMessage, now: datetime) -> int:
    """1 when this walk finished the turn; 0 when it had ended, or its live owner is still at it (looked at
    again next time)."""
    redelivery, key = app[WECHAT_REDELIVERY], row.dedup_key
    claim = await app[KV].get(f"wx:msg:{key}")
    if claim is not None and not claim.startswith(RUNNING):
        await answered(key, now)  # answered by a process that died before marking it
        return 0
    if claim is None:  # lost with Redis (or expired): wait until no live turn can still be running it
        if now - row.received_at < LOST_AFTER or not await redelivery.reclaim(key):
            return 0
    elif not await redelivery.take_over(key, claim):
        return 0
    try:
        msg = message_from_fields(row.payload)
    except CallbackError:  # cannot happen for a message the callback parsed; never blocks the walk
        await redelivery.remember(key, "", row.external_id)
        await answered(key, now)
        return 0
    log.warning("finishing a turn its process left half-done", extra={"dedup_key": key[:80]})
    await finish(app, msg)
    return 1
