"""我的: my cells, this month's numbers (the statistics' own figures for my row) and my duty."""

from __future__ import annotations

import re

from intake.stats.mine import month_window
from intake.store.models import User
from tests.bot.conftest import walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in


def shown(page: str, field: str) -> str:
    found = re.search(rf'id="{field}">([^<]*)<', page)
    assert found, page
    return found.group(1)


async def test_my_page_shows_my_cells_numbers_and_duty(site: Site, uid: str) -> None:
    await walk(site.api, "closed", f"wm-{uid}")  # closed by w1 (the assignee) this month
    phone, _ = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wm2-{uid}"))
    w1, w2 = site.api.staff["w1"].user_id, site.api.staff["w2"].user_id
    start, end = month_window(site.api.svc.clock())
    stats = await site.api.call("GET", f"/admin/v1/stats/cases?by=worker&from={start:%Y-%m-%d}&to={end:%Y-%m-%d}")
    row = next(r for r in stats.body["rows"] if r["key"] == str(w1))
    await User.filter(id=w2).update(on_leave=True, substitute_id=w1)
    try:
        async with phone:
            async with phone.get("/worker/me") as resp:
                page = await resp.text()
            assert resp.status == 200 and "我的" in page and site.api.leaves[0] in page and site.api.leaves[1] in page
            assert row["closed"] >= 1 and shown(page, "done") == str(row["closed"])  # the statistics' figure
            assert shown(page, "on-time") == f"{row['on_time_rate'] * 100:.0f}%"
            assert "页面网格员乙" in page  # I stand in for w2, on leave
        phone2, _ = await signed_in(site, "w2", await walk(site.api, "dispatched", f"wm3-{uid}"))
        async with phone2, phone2.get("/worker/me?lang=en") as resp:
            page = await resp.text()
        assert "On leave</dt><dd>Yes" in page and "页面网格员甲" in page
    finally:
        await User.filter(id=w2).update(on_leave=False, substitute_id=None)
