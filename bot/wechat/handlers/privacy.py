"""A resident's own data by text (PIPL): what is kept (我的数据), and deleting it (删除我的数据, then a
second message to confirm — no state to keep between the two, so nothing half-done survives a restart).

What deletion does is :mod:`intake.privacy.resident`'s rule; the full export is the mini-program's
``GET /mp/v1/me/data`` (a chat message cannot carry a document).
"""

from __future__ import annotations

from bot.wechat.router import Router, Turn, command
from intake.privacy import resident

router = Router()
LISTED = 5  # case numbers named in the summary; the rest are counted


@router.on(command("my_data"))
async def my_data(turn: Turn) -> str:
    held = await resident.export(turn.resident.channel, turn.resident.external_id)
    numbers = [c["case_no"] for c in held["cases"]]
    return turn.t.my_data(len(numbers), numbers[-LISTED:], len(held["messages"]),
                          turn.resident.home_grid is not None, turn.resident.last_lat is not None)


@router.on(command("erase_ask"))
async def erase_ask(turn: Turn) -> str:
    return turn.t.erase_ask()


@router.on(command("erase_confirm"))
async def erase_confirm(turn: Turn) -> str:
    done = await resident.request_erasure(turn.ctx, turn.resident.channel, turn.resident.external_id, None)
    return turn.t.erased(done.erased, done.pending)
