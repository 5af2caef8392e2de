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

A claim names its process's lease (``wx:lease:<id>``, renewed every second, gone
seconds after the process dies). A redelivery that finds a claim whose lease is
gone takes it over and stores the message itself: a ``kill -9`` between claiming and
storing used to leave the claim "running" for its whole TTL, and every retry was
answered ``success`` for a message never stored. Storing twice cannot happen:
``dedup_key`` is unique in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import secrets
import time

from bot.storage.base import Entry, KeyValueStore

log = logging.getLogger("gridline.wechat")
CLAIM_TTL = 300.0  # WeChat stops retrying after ~15 s; keep well beyond that
RUNNING = "\x00running"  # + ":" + the owner's lease id
LEASE_TTL = 3.0  # a dead process's claims are taken over this long after its last renewal
LEASE_EVERY = 1.0
NONCE_TTL = 600.0  # twice WeChat's ±300 s timestamp window
TURN_TTL = 30.0  # a turn that outlives this (its process died) is taken over
DEAD_TURN_EVERY_S = 0.25  # a message waiting its turn looks this often whether the holder's process died
OWN_WAKE_S = 1.0  # a retry of a message this process runs looks at the store at least this often


class Admission(enum.Enum):
    FIRST = "first"  # this delivery runs the dialogue, and the resident's turn is its own
    BEHIND = "behind"  # this delivery runs the dialogue once the resident's current turn is over
    REDELIVERY = "redelivery"  # WeChat retried: repeat the first one's reply
    REPLAYED = "replayed"  # the nonce came back with another message: refuse


class Redelivery:
    def __init__(self, kv: KeyValueStore, poll: float = 0.05, turn_poll: float = 0.01) -> None:
        self._kv, self._poll, self._turn_poll = kv, poll, turn_poll
        self.lease = secrets.token_hex(8)
        self._running = ":".join((RUNNING, self.lease))  # a claim value, not a resident ref
        self._answered: dict[str, asyncio.Event] = {}  # messages this process runs that a retry waits on
        self._taken: dict[str, str] = {}  # the claim values of messages taken over, until answered or given back

    async def renew(self) -> None:
        """Keep this process's lease alive (its claims are not taken over while it is)."""
        await self._kv.set(_lease(self.lease), "1", LEASE_TTL)

    async def keep_lease(self) -> None:
        """Renew the lease every second until cancelled; a failed renewal is retried (Redis may be away)."""
        while True:
            with contextlib.suppress(Exception):
                await self.renew()
            await asyncio.sleep(LEASE_EVERY)

    async def admit(self, nonce: str, timestamp: int, key: str, resident: str) -> Admission:
        """Check the nonce, claim the message and take the resident's turn: one round trip.

        A nonce may come back only with the same message (a redelivery); with another, it is a
        replay, and the message it carries is not claimed.
        """
        nonce_ok, taken = await self._kv.set_if_absent_guarded(
            Entry(f"wx:nonce:{timestamp}:{nonce}", key, NONCE_TTL),
            [Entry(f"wx:msg:{key}", self._running, CLAIM_TTL), Entry(_turn(resident), key, TURN_TTL)])
        if not nonce_ok:
            return Admission.REPLAYED
        return (Admission.REDELIVERY, Admission.BEHIND, Admission.FIRST)[taken]

    async def take_turn(self, resident: str, key: str) -> None:
        """Wait until the resident's turn is free and take it (after :data:`Admission.BEHIND`). A turn whose
        message's process died is taken from it at once: its message is then finished first by this turn
        (:func:`bot.wechat.turns.earlier_first`), rather than after its TTL, behind the messages that follow."""
        deadline, look = time.monotonic() + TURN_TTL + 1, 0.0
        while not await self.try_turn(resident, key, dead_holder=time.monotonic() >= look):
            if time.monotonic() >= deadline:  # cannot happen while the store keeps TTLs
                log.warning("resident turn still taken after its TTL; going ahead", extra={"dedup_key": key})
                return
            look = max(look, time.monotonic() + DEAD_TURN_EVERY_S)
            await asyncio.sleep(self._turn_poll)

    async def try_turn(self, resident: str, key: str, *, dead_holder: bool = True) -> bool:
        """Take the resident's turn now if it is free or, with ``dead_holder``, already this message's (its claim
        taken over: the dead owner's turn is ours) or held by a message whose process died."""
        turn = _turn(resident)
        if await self._kv.set_if_absent(turn, key, TURN_TTL):
            return True
        if not dead_holder:  # a waiting turn's frequent look: one round trip (the holder is read 4 times a second)
            return False
        holder = await self._kv.get(turn)
        if holder != key:
            if holder is None:
                return False
            # A holder whose claim holds its reply is stale (its end was lost); one whose claim is gone, live.
            claim = await self._kv.get(f"wx:msg:{holder}")
            if claim is None or (claim.startswith(RUNNING) and await self.alive(claim)):
                return False
        await self._kv.set_many([Entry(turn, key, TURN_TTL, only_if=holder)])
        return await self._kv.get(turn) == key

    async def remember(self, key: str, reply: str, resident: str, *also: Entry) -> None:
        """Keep the reply for redeliveries, write ``also`` (the draft) and end the turn: one round trip."""
        await self._kv.set_many([Entry(f"wx:msg:{key}", reply, CLAIM_TTL), *also, self.end_turn(resident, key)])
        self._taken.pop(key, None)
        self._wake(key)

    async def release(self, key: str, resident: str, *, claim: bool) -> None:
        """End the turn this message took, and with ``claim`` give up its claim (it was not stored)."""
        held = self._taken.pop(key, self._running)
        give_back = [Entry(f"wx:msg:{key}", None, only_if=held)] if claim else []
        await self._kv.set_many([*give_back, self.end_turn(resident, key)])
        self._wake(key)

    def _wake(self, key: str) -> None:
        if (event := self._answered.pop(key, None)) is not None:
            event.set()

    def end_turn(self, resident: str, key: str) -> Entry:
        return Entry(_turn(resident), None, only_if=key)

    async def wait_for_reply(self, key: str, resident: str, within: float) -> str | None:
        """The first delivery's reply once it is known, or ``None`` after ``within`` seconds, or
        :data:`TAKEN_OVER` when its owner died and this delivery now holds the claim (it must store
        and answer the message itself), or :data:`GIVEN_BACK` when the owner gave the claim back unstored
        (the database was away) and this delivery now holds it (it must store the message).

        A dead claim is taken over only with the resident's turn in hand: a live turn of the resident's
        finishes an earlier dead message itself, in order, and one taken over here while that turn runs
        could not be (see :func:`bot.wechat.turns.earlier_first`)."""
        deadline = time.monotonic() + within
        while True:
            value = await self._kv.get(f"wx:msg:{key}")
            if value is not None and not value.startswith(RUNNING):
                return value
            if value is not None and await self._take_over_in_turn(key, resident, value):
                return TAKEN_OVER
            if value is None and await self.reclaim(key):  # the first delivery could not store it, and let go
                return GIVEN_BACK
            if (left := deadline - time.monotonic()) <= 0:
                self._answered.pop(key, None)  # nothing left behind for a message never answered
                return None
            await self._until_answered(key, value, left)

    async def _until_answered(self, key: str, claim: str | None, left: float) -> None:
        """Sleep until the next look at the claim. When this process runs the message, its end wakes the
        waiter (a look a second for safety): the retries polling the store every 50 ms were most of its load
        while Redis was away and the database stood in (#18)."""
        if claim != self._running:
            await asyncio.sleep(min(self._poll, left))
            return
        event = self._answered.setdefault(key, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), min(OWN_WAKE_S, left))

    async def _take_over_in_turn(self, key: str, resident: str, claim: str) -> bool:
        if not claim.startswith(RUNNING) or await self.alive(claim) or not await self.try_turn(resident, key):
            return False
        # Lost to another retry: the turn stays with this message's key, which the winner runs under.
        return await self.take_over(key, claim)

    async def alive(self, claim: str) -> bool:
        """Whether a "running" claim's owner still renews its lease (a claim without one counts as alive)."""
        owner = claim[len(RUNNING) + 1:].split(":")[0]  # a taken-over claim adds ":<token>"
        return not owner or owner == self.lease or await self._kv.get(_lease(owner)) is not None

    async def reclaim(self, key: str) -> bool:
        """Claim a stored message whose claim is gone (Redis came back empty); True when this process holds it."""
        return await self._kv.set_if_absent(f"wx:msg:{key}", self._running, CLAIM_TTL)

    async def take_over(self, key: str, claim: str) -> bool:
        """Take ``claim`` when its owner's lease is gone; True when this delivery now holds it."""
        if await self.alive(claim):
            return False  # a claim without a lease (an older process) waits for its TTL
        # A token of this take-over's own: a retry and the recovery walk of one process, both after the same
        # dead claim, would each read back the process's own claim value and both run the turn (two cases).
        mine = ":".join((self._running, secrets.token_hex(4)))  # a claim value, not a resident ref
        await self._kv.set_many([Entry(f"wx:msg:{key}", mine, CLAIM_TTL, only_if=claim)])
        if await self._kv.get(f"wx:msg:{key}") != mine:
            return False  # another redelivery took it first
        self._taken[key] = mine
        log.warning("took over a redelivery claim whose process died", extra={"dedup_key": key[:80]})
        return True


TAKEN_OVER = "\x00taken-over"
GIVEN_BACK = "\x00given-back"


def _turn(resident: str) -> str:
    return f"wx:turn:{resident}"


def _lease(owner: str) -> str:
    return f"wx:lease:{owner}"
