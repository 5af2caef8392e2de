"""Setup › Grid groups: the WeCom robot of a cell or region (keys masked), removed, or sent a test message
through the outbox (it reaches the group like a task card would, or fails with WeCom's error on record)."""

from __future__ import annotations

from aiohttp import web

from bot.console.setup.common import admin_only, done, field, routes, setup_page
from bot.keys import CASES
from bot.web.auth import Me
from bot.web.render import gettext
from intake.org import grid_groups


@routes.get("/setup/groups", name="setup_groups")
@admin_only
async def group_list(request: web.Request, me: Me) -> web.Response:
    rows = [(g, grid_groups.masked(g.webhook_key)) for g in await grid_groups.listing()]
    index = request.config_dict[CASES].grid.index
    names = {g.grid_code: cell.name for g, _ in rows if (cell := index.find(g.grid_code)) is not None}
    return await setup_page(request, me, "setup_groups.html", "setup_groups", {"rows": rows, "names": names})


@routes.post("/setup/groups", name="setup_group_set")
@admin_only
async def group_set(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    ctx = request.config_dict[CASES]

    async def work() -> str:
        row, created = await grid_groups.set_key(field(form, "grid_code", 20), field(form, "webhook_key", 100),
                                                 me.actor.ref, ctx.clock())
        return (_("Group added for {grid}.") if created else _("Group changed for {grid}.")).format(grid=row.grid_code)

    return await done(request, me, str(request.app.router["setup_groups"].url_for()), work)


@routes.post("/setup/groups/{grid_code}", name="setup_group_post")
@admin_only
async def group_post(request: web.Request, me: Me) -> web.Response:
    form, _ = await request.post(), gettext(request)
    ctx, code = request.config_dict[CASES], request.match_info["grid_code"][:20]

    async def work() -> str:
        if field(form, "action", 20) == "remove":
            await grid_groups.remove(code)
            return _("Group removed for {grid}.").format(grid=code)
        await grid_groups.send_test(ctx.notifier, code, me.actor.name, ctx.clock())
        return _("Test message queued for the group of {grid}; see the outbox for its delivery.").format(grid=code)

    return await done(request, me, str(request.app.router["setup_groups"].url_for()), work)
