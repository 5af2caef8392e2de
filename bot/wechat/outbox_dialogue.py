"""The 公众号 dialogue, aware of the outbox: a resident's message releases what was held for them,
and what the answer itself tells them is not sent a second time."""

from __future__ import annotations

from bot.wechat.router import Inbound
from bot.wechat.service import CHANNEL, Dialogue, Response
from intake.arrivals import Arrival
from outbox.notifier import replying_to
from outbox.store import release_held


class OutboxDialogue(Dialogue):
    async def respond(self, msg: Inbound, arrival: Arrival | None = None) -> Response:
        # They wrote: the 48-hour customer-service window is open again for anything held back
        # (the arrival's resident row says whether anything is; without one, look).
        if arrival is None or arrival.resident.outbox_held:
            await release_held(CHANNEL, msg.from_user, self.ctx.clock())
        with replying_to(CHANNEL, msg.from_user):
            return await super().respond(msg, arrival)
