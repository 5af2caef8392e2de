"""巡查上报 over HTTP: a worker files a case at their position; bad input is refused and stores nothing."""

from __future__ import annotations

import pytest

from intake.store.models import Case
from tests.bot.conftest import QUIET_CATEGORY, walk
from tests.bot.worker.conftest import Site
from tests.bot.worker.test_pages import signed_in


async def test_a_patrol_report_opens_a_case_at_the_workers_position(site: Site, uid: str) -> None:
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wp-{uid}"))
    lat, lng = site.api.point(site.api.leaves[0])
    async with phone:
        async with phone.get("/worker/report") as resp:
            page = await resp.text()
        assert resp.status == 200 and f'value="{QUIET_CATEGORY}"' in page and "report.js" in page
        data = {"csrf": csrf, "description": f"巡查发现路灯不亮 {uid}", "category": QUIET_CATEGORY,
                "lat": f"{lat:.6f}", "lng": f"{lng:.6f}"}
        async with phone.post("/worker/report", data=data, allow_redirects=False) as resp:
            assert resp.status == 303, await resp.text()
            location = resp.headers["Location"]
        case = await Case.get(description=data["description"])
        assert location == f"/worker/cases/{case.case_no}"
        assert case.channel == "worker" and case.reporter == f"user:{site.api.staff['w1'].user_id}"
        assert case.grid_code == site.api.leaves[0] and case.category_code == QUIET_CATEGORY
        async with phone.get(location) as resp:
            assert case.case_no in await resp.text()


@pytest.mark.parametrize("change", [
    {"lat": "", "lng": ""},  # no position and no address
    {"lat": "abc"}, {"lat": "91"}, {"lng": ""},  # not a place
    {"description": "x" * 2001}, {"description": " "},
    {"category": "99999"}, {"category": "x" * 40},
    {"address": "路" * 301, "lat": "", "lng": ""},
])
async def test_bad_patrol_input_is_refused_and_stores_nothing(site: Site, uid: str, change: dict[str, str]) -> None:
    phone, csrf = await signed_in(site, "w1", await walk(site.api, "dispatched", f"wq-{uid}"))
    lat, lng = site.api.point(site.api.leaves[0])
    data = {"csrf": csrf, "description": f"巡查 {uid}", "category": "", "lat": str(lat), "lng": str(lng), **change}
    async with phone:
        async with phone.post("/worker/report", data=data, allow_redirects=False) as resp:
            assert resp.status == 400, change
            assert "flash error" in await resp.text()
        async with phone.post("/worker/report", data={**data, **{"csrf": ""}}) as resp:
            assert resp.status == 403
    assert not await Case.filter(reporter=f"user:{site.api.staff['w1'].user_id}",
                                 description__contains=uid).exists()
