"""A notifier that only records: for the sandbox and for tests until channels exist."""

from __future__ import annotations

from collections import deque

from notify.types import Notification, Withdrawn


class RecordingNotifier:
    """Keeps the last ``maxlen`` notifications in memory, deduplicated by key (the keys are bounded too:
    the app mirrors every message here for /sandbox, so it must not grow with the process's lifetime)."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._items: deque[Notification] = deque(maxlen=maxlen)
        self._keys: set[str] = set()

    async def publish(self, notifications: list[Notification]) -> None:
        for item in notifications:
            if item.key in self._keys:
                continue
            if len(self._items) == self._items.maxlen:
                self._keys.discard(self._items[0].key)  # the oldest is about to fall out
            self._keys.add(item.key)
            self._items.append(item)

    async def withdraw(self, group: str) -> Withdrawn:
        """Recorded messages count as reached: nothing is queued here."""
        reached = tuple(n.recipient for n in self._items if n.group == group)
        return Withdrawn(stopped=(), reached=reached)

    @property
    def sent(self) -> list[Notification]:
        return list(self._items)

    def for_case(self, case_no: str) -> list[Notification]:
        return [n for n in self._items if n.case_no == case_no]
