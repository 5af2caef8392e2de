"""One resident message, end to end: store it, load the resident and draft, run the dialogue, save."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from bot.wechat.draft import DraftStore
from bot.wechat.router import Inbound, Router, Turn
from bot.wechat.texts import Texts
from intake import residents
from intake.cases.context import CaseContext
from intake.store.models import InboundMessage

log = logging.getLogger("gridline.wechat")
CHANNEL = "wechat"


@dataclass(frozen=True, slots=True)
class Dialogue:
    ctx: CaseContext
    drafts: DraftStore
    router: Router

    async def persist(self, msg: Inbound, dedup_key: str, raw: dict[str, str]) -> bool:
        """Store what the resident sent before answering; False when it was already stored (a redelivery)."""
        try:
            await InboundMessage.create(
                channel=CHANNEL, external_id=msg.from_user, dedup_key=dedup_key, kind=msg.kind,
                content=msg.content or msg.recognition, media_id=msg.media_id, pic_url=msg.pic_url,
                lat=msg.lat, lng=msg.lng, payload=raw, received_at=self.ctx.clock())
        except IntegrityError:
            return False
        return True

    async def answer(self, msg: Inbound) -> str | None:
        now = self.ctx.clock()
        resident = await residents.seen(CHANNEL, msg.from_user, now)
        draft = await self.drafts.load(msg.from_user)
        turn = Turn(msg, resident, draft, Texts(resident.lang), self.ctx, now)
        reply = await self.router.dispatch(turn)
        await self.drafts.save(msg.from_user, turn.draft)
        return reply
