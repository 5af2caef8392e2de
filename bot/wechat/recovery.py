"""The inbound recovery loop: turns whose process died after storing the message are finished (#18).

A message is stored before anything answers it; its claim (``wx:msg:<key>``) says "running" under its
process's lease until the turn's reply replaces it, and the stored message is marked answered
(``answered_at``) when its turn ends. When the process is killed in between and no WeChat retry comes (the
callback had already answered ``success`` because the reply budget had passed, or all three retries came
before the lease lapsed), and the resident sends nothing more (their next message's turn would finish it,
:mod:`bot.wechat.turns`), nothing would ever finish that turn: the resident's "1" stored, no case, no
answer. This job asks the database for the messages not marked answered, at least one run after they
arrived, and finishes each whose process died, as a retry would, its answer pushed as a customer-service
message. A case the dead turn had opened is found by the message (:func:`intake.cases.intake.opened_from`),
never opened twice.

The database, not Redis, says which turns are unfinished: Redis may come back empty, and with it the claims
of turns left half-done before the outage. A message whose claim is gone is taken once it is older than
any live turn runs (:data:`bot.wechat.turns.LOST_AFTER_S`); one whose claim holds a reply was answered by a
process that died before marking it, and is only marked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from bot.keys import CASES, WECHAT_REDELIVERY
from bot.wechat import turns
from bot.wechat.service import CHANNEL
from intake.arrivals import HORIZON, unanswered
from intake.store.models import InboundMessage

LOCK = "lock:wechat-recovery"
EVERY = 5.0  # seconds: a lease lapses 3 s after its process died; WeChat's retries span ~15 s
LOST_AFTER = timedelta(seconds=turns.LOST_AFTER_S)
BATCH = 500


async def recover(app: web.Application) -> int:
    """One walk; the number of turns finished here."""
    now = app[CASES].clock()
    finished = 0
    for row in await unanswered(CHANNEL, now - HORIZON, now - timedelta(seconds=EVERY), BATCH):
        finished += await _check(app, row, now)
    return finished


async def _check(app: web.Application, row: InboundMessage, now: datetime) -> int:
    """1 when this walk finished the turn; 0 when it had ended, or a live turn of the resident's is running
    (looked at again next time, if that turn has not finished it)."""
    # The resident's turn before the claim: a live turn of the resident's finishes this message itself
    # when it is the earlier one. Lost to a retry, the turn keeps this message's key, which the retry runs under.
    if not await turns.dead(app, row, now) or not await app[WECHAT_REDELIVERY].try_turn(row.external_id,
                                                                                         row.dedup_key):
        return 0
    if (msg := await turns.take_dead(app, row, now)) is None:
        return 0
    await turns.finish(app, msg)
    return 1
