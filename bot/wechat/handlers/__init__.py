"""The 公众号 dialogue: events, commands, survey answers, then the report being assembled (order matters)."""

from __future__ import annotations

from bot.wechat.handlers import commands, events, report, residents, surveys
from bot.wechat.router import Router


def build_router() -> Router:
    root = Router()
    for module in (events, commands, residents, surveys, report):  # surveys: a survey answer before a new report
        root.include(module.router)
    return root
