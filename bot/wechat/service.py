"""One resident message, end to end: store it, load the resident and draft, run the dialogue, save."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.wechat.draft import Draft, DraftStore
from bot.wechat.router import Inbound, Router, Turn
from bot.wechat.texts import Texts
from intake import residents
from intake.arrivals import Arrival, Received, arrive
from intake.cases.context import CaseContext
from intake.i18n import DEFAULT
from intake.script import language_of, reply_language

log = logging.getLogger("gridline.wechat")
CHANNEL = "wechat"


@dataclass(frozen=True, slots=True)
class Response:
    """The dialogue's answer and the draft to keep; saved by the caller (with the reply, in one round trip)."""

    reply: str | None
    draft: Draft


@dataclass(frozen=True, slots=True)
class Dialogue:
    ctx: CaseContext
    drafts: DraftStore
    router: Router

    async def arrive(self, msg: Inbound, dedup_key: str, raw: dict[str, str]) -> Arrival:
        """Store what the resident sent before answering (``stored`` is False for a redelivery)."""
        received = Received(dedup_key, msg.kind, msg.content or msg.recognition, msg.media_id, msg.pic_url,
                            msg.lat, msg.lng, raw)
        return await arrive(CHANNEL, msg.from_user, received, self.ctx.clock())

    async def respond(self, msg: Inbound, arrival: Arrival | None = None) -> Response:
        """Run the dialogue for ``msg``; without an arrival (tests, the sandbox) the resident is looked up."""
        now = self.ctx.clock()
        resident = arrival.resident if arrival else await residents.seen(CHANNEL, msg.from_user, now)
        draft = await self.drafts.load(msg.from_user)
        written = language_of(msg.content or msg.recognition or "")
        draft.lang = written or draft.lang
        lang = reply_language(resident.lang, DEFAULT, written, draft.lang)
        turn = Turn(msg, resident, draft, Texts(lang), self.ctx, now)
        return Response(await self.router.dispatch(turn), turn.draft)

    async def answer(self, msg: Inbound, arrival: Arrival | None = None) -> str | None:
        """:meth:`respond` and keep the draft."""
        response = await self.respond(msg, arrival)
        await self.drafts.save(msg.from_user, response.draft)
        return response.reply
