"""我的: my cells, my numbers this month and my duty (leave, substitute), read from intake; nothing to change here."""

from __future__ import annotations

from aiohttp import web

from bot.keys import CASES, SETTINGS
from bot.web.render import page
from bot.worker.auth import ME
from intake.org.mine import duty_of
from intake.stats.mine import my_month

routes = web.RouteTableDef()


@routes.get("/me", name="me")
async def my_page(request: web.Request) -> web.Response:
    me, ctx = request[ME], request.config_dict[CASES]
    index = ctx.grid.index
    cells = [(code, " · ".join(c.name for c in index.chain(code)[-2:]) if code in index else code)
             for code in sorted(me.actor.grids)]
    month = await my_month(ctx, me.actor, request.config_dict[SETTINGS].score, ctx.clock())
    return page("me.html", request, {"me": me, "cells": cells, "month": month,
                                     "duty": await duty_of(me.actor.user_id or 0), "pct": _pct})


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"
