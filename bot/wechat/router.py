"""A small router in the spirit of aiogram: ordered (filter, handler) pairs, first match answers.

A handler gets one ``Turn`` (the message, the resident, the draft, the texts
in their language) and returns the reply text, or ``None`` for no reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.wechat.draft import Draft
from bot.wechat.texts import Texts
from bot.wechat.words import command_of
from intake.cases.context import CaseContext
from intake.store.models import Resident


class Inbound(Protocol):
    """The fields of a parsed callback message the dialogue reads (see ``bot.wechat.messages.Message``)."""

    @property
    def kind(self) -> str: ...
    @property
    def from_user(self) -> str: ...
    @property
    def content(self) -> str | None: ...
    @property
    def recognition(self) -> str | None: ...
    @property
    def media_id(self) -> str | None: ...
    @property
    def pic_url(self) -> str | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lng(self) -> float | None: ...
    @property
    def label(self) -> str | None: ...
    @property
    def event(self) -> str | None: ...
    @property
    def event_key(self) -> str | None: ...


@dataclass
class Turn:
    msg: Inbound
    resident: Resident
    draft: Draft
    t: Texts
    ctx: CaseContext
    now: datetime

    @property
    def text(self) -> str:
        return (self.msg.content or "").strip()


Handler = Callable[[Turn], Awaitable[str | None]]
Filter = Callable[[Turn], bool]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[Filter, Handler]] = []

    def on(self, flt: Filter) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append((flt, handler))
            return handler

        return register

    def include(self, other: Router) -> None:
        self._routes.extend(other._routes)

    async def dispatch(self, turn: Turn) -> str | None:
        for flt, handler in self._routes:
            if flt(turn):
                return await handler(turn)
        return None


def event(name: str, key: str | None = None) -> Filter:
    return lambda t: t.msg.kind == "event" and t.msg.event == name and (key is None or t.msg.event_key == key)


def text_in(*words: str) -> Filter:
    lowered = {w.lower() for w in words}
    return lambda t: t.msg.kind == "text" and t.text.lower() in lowered


def command(*names: str) -> Filter:
    """A text message that is one of the commands ``names`` of the table in ``bot.wechat.words``."""
    wanted = set(names)
    return lambda t: t.msg.kind == "text" and (found := command_of(t.text)) is not None and found[0] in wanted


def text_prefix(prefix: str) -> Filter:
    return lambda t: t.msg.kind == "text" and t.text.startswith(prefix)


def state(name: str) -> Filter:
    return lambda t: t.draft.state == name
