"""The 公众号 dialogue: events, commands, survey answers, then the report being assembled (order matters)."""

from __future__ import annotations

from bot.wechat.handlers import commands, events, privacy, report, residents, surveys
from bot.wechat.router import Router


def build_router() -> Router:
    root = Router()
    # residents: a resident's own report (催办, 补充 …); surveys: a survey answer before a new report
    for module in (events, commands, privacy, residents, surveys, report):
        root.include(module.router)
    return root
