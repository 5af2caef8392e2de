"""Channels that never leave the process: the sandbox (recorded, shown on /sandbox) and a blackhole for staging."""

from __future__ import annotations

from collections import deque

from notify.types import Attempt, Envelope, Outcome


class SandboxChannel:
    def __init__(self, maxlen: int = 1000, name: str = "sandbox") -> None:
        self._items: deque[Envelope] = deque(maxlen=maxlen)
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        self._items.append(envelope)
        return Attempt(Outcome.DELIVERED, detail="sandbox")

    @property
    def items(self) -> list[Envelope]:
        return list(self._items)

    def for_address(self, address: str) -> list[Envelope]:
        return [e for e in self._items if e.address == address]


class BlackholeChannel:
    """Accepts and drops everything: staging must never reach real people."""

    def __init__(self, name: str = "blackhole") -> None:
        self._name = name
        self.count = 0

    @property
    def name(self) -> str:
        return self._name

    async def send(self, envelope: Envelope) -> Attempt:
        self.count += 1
        return Attempt(Outcome.DELIVERED, detail="blackhole")
