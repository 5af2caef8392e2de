"""WeChat redelivers a message three times when it gets no answer within 5 s: never twice the effect.

The first delivery claims the message's key (``SET NX`` with a TTL); a
redelivery that finds the claim waits for the first one's reply and repeats it,
or answers ``success`` when it is not ready in time.

A resident's messages also take turns: three photos picked at once arrive as
three concurrent callbacks, and each turn loads the draft, adds to it and saves
it — run side by side, the last save would keep one photo. The first delivery
therefore also takes the resident's turn (a key holding the message's key, in the
same round trip as the nonce and the claim); a message that finds the turn taken
waits for it. Turns are not queued in order: one resident's concurrent messages
are fragments of one report, and the draft keeps them all whatever the order.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time

from bot.storage.base import Entry, KeyValueStore

log = logging.getLogger("gridline.wechat")
CLAIM_TTL = 300.0  # WeChat stops retrying after ~15 s; keep well beyond that
RUNNING = "\x00running"
NONCE_TTL = 600.0  # twice WeChat's ±300 s timestamp window
TURN_TTL = 30.0  # a turn that outlives this (its process died) is taken over


class Admission(enum.Enum):
    FIRST = "first"  # this delivery runs the dialogue, and the resident's turn is its own
    BEHIND = "behind"  # this delivery runs the dialogue once the resident's current turn is over
    REDELIVERY = "redelivery"  # WeChat retried: repeat the first one's reply
    REPLAYED = "replayed"  # the nonce came back with another message: refuse


class Redelivery:
    def __init__(self, kv: KeyValueStore, poll: float = 0.05, turn_poll: float = 0.01) -> None:
        self._kv, self._poll, self._turn_poll = kv, poll, turn_poll

    async def admit(self, nonce: str, timestamp: int, key: str, resident: str) -> Admission:
        """Check the nonce, claim the message and take the resident's turn: one round trip.

        A nonce may come back only with the same message (a redelivery); with another, it is a
        replay, and the message it carries is not claimed.
        """
        nonce_ok, taken = await self._kv.set_if_absent_guarded(
            Entry(f"wx:nonce:{timestamp}:{nonce}", key, NONCE_TTL),
            [Entry(f"wx:msg:{key}", RUNNING, CLAIM_TTL), Entry(_turn(resident), key, TURN_TTL)])
        if not nonce_ok:
            return Admission.REPLAYED
        return (Admission.REDELIVERY, Admission.BEHIND, Admission.FIRST)[taken]

    async def take_turn(self, resident: str, key: str) -> None:
        """Wait until the resident's turn is free and take it (after :data:`Admission.BEHIND`)."""
        deadline = time.monotonic() + TURN_TTL + 1
        while not await self._kv.set_if_absent(_turn(resident), key, TURN_TTL):
            if time.monotonic() >= deadline:  # cannot happen while the store keeps TTLs
                log.warning("resident turn still taken after its TTL; going ahead", extra={"dedup_key": key})
                return
            await asyncio.sleep(self._turn_poll)

    async def remember(self, key: str, reply: str, resident: str, *also: Entry) -> None:
        """Keep the reply for redeliveries, write ``also`` (the draft) and end the turn: one round trip."""
        await self._kv.set_many([Entry(f"wx:msg:{key}", reply, CLAIM_TTL), *also, self.end_turn(resident, key)])

    async def release(self, key: str, resident: str, *, claim: bool) -> None:
        """End the turn this message took, and with ``claim`` give up its claim (it was not stored)."""
        give_back = [Entry(f"wx:msg:{key}", None, only_if=RUNNING)] if claim else []
        await self._kv.set_many([*give_back, self.end_turn(resident, key)])

    def end_turn(self, resident: str, key: str) -> Entry:
        return Entry(_turn(resident), None, only_if=key)

    async def wait_for_reply(self, key: str, within: float) -> str | None:
        """The first delivery's reply once it is known, or ``None`` after ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            value = await self._kv.get(f"wx:msg:{key}")
            if value is not None and value != RUNNING:
                return value
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(self._poll)


def _turn(resident: str) -> str:
    return f"wx:turn:{resident}"
