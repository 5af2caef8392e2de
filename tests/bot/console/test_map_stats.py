"""The console's map and statistics over HTTP: scope (a street's dispatcher sees nothing of another street),
roles, CSRF, hostile polygons and parameters, exports read back, and the page agreeing with the API."""

from __future__ import annotations

import io
import re

import aiohttp
import openpyxl

from intake import passwords
from intake.store.models import Case
from tests.bot.conftest import OTHER_STREET, WORKER_STREET, Api, open_case
from tests.bot.console.conftest import CSRF, PASSWORD, browser, sign_in


async def _signed(console: Api, who: str) -> tuple[aiohttp.ClientSession, str]:
    uid = console.staff[who].user_id
    assert uid is not None
    if who == "sup":
        await passwords.set_password(uid, PASSWORD, console.svc.clock())
    b = browser(console)
    assert (await sign_in(b, uid)).status == 303
    async with b.get("/console/map") as page:
        text = await page.text()
    token = re.search(r'data-csrf="([^"]+)"', text)
    assert page.status == 200 and token, text[:500]
    return b, token.group(1)


def _ring(console: Api, code: str, pad: float = 0.002) -> str:
    lat, lng = console.point(code)
    return " ".join(f"{y:.6f},{x:.6f}" for y, x in ((lat - pad, lng - pad), (lat - pad, lng + pad),
                                                    (lat + pad, lng + pad), (lat + pad, lng - pad)))


async def empty_leaf(console: Api) -> str:
    """A leaf of the dispatcher's street holding no case yet, whose centroid lies in it: its open cases (the
    cell panel shows the 50 due first) are this test's alone, whatever other tests reported before."""
    index = console.svc.ctx.grid.index
    codes = await Case.filter(grid_code__startswith=WORKER_STREET).values_list("grid_code", flat=True)
    used = {str(code) for code in codes}
    return next(leaf.code for leaf in reversed(index.leaves) if leaf.code.startswith(WORKER_STREET)
                and leaf.code not in used and (placed := index.locate(*index.centroid(leaf.code))) is not None
                and placed.code == leaf.code and placed.inside)


async def test_a_street_dispatcher_sees_nothing_of_another_street(console: Api, uid: str) -> None:
    leaf = await empty_leaf(console)
    mine = await open_case(console, f"map-{uid}", leaf=leaf)
    other = await open_case(console, f"map-{uid}-o", leaf=console.other_leaf)
    b, csrf = await _signed(console, "street")
    async with b:
        async with b.get("/console/map/cells.json", params={"zoom": "17"}) as resp:
            cells = (await resp.json())["cells"]
        assert cells and all(c["c"].startswith(WORKER_STREET) for c in cells)
        async with b.get("/console/map/cases.json") as resp:
            found = [c[3] for c in (await resp.json())["cases"]]
        assert mine in found and other not in found
        async with b.get(f"/console/map/cells/{console.other_leaf}.json") as resp:
            assert resp.status == 404
        async with b.get(f"/console/map/cells/{leaf}.json") as resp:
            summary = await resp.json()
        assert resp.status == 200 and mine in [c["case_no"] for c in summary["open_cases"]]
        assert summary["figures"]["received"] >= 1
        theirs = {"csrf": csrf, "points": _ring(console, console.other_leaf)}
        async with b.post("/console/map/inside", data=theirs) as r:
            assert r.status == 200 and other not in [c["case_no"] for c in (await r.json())["cases"]]
        ours = {"csrf": csrf, "points": _ring(console, leaf)}
        async with b.post("/console/map/inside", data=ours) as r:
            assert mine in [c["case_no"] for c in (await r.json())["cases"]]
        async with b.get("/console/map/heat.json", params={"days": "30"}) as resp:
            heat = (await resp.json())["points"]
        olat, olng = console.point(console.other_leaf)
        assert heat and not any(abs(p[0] - olat) < 0.001 and abs(p[1] - olng) < 0.001 for p in heat)
        async with b.get("/console/stats", params={"by": "street"}) as resp:
            text = await resp.text()
        assert resp.status == 200 and f'data-key="{WORKER_STREET}"' in text and f'data-key="{OTHER_STREET}"' not in text
    async with browser(console) as admin:
        await sign_in(admin, console.staff["admin"].user_id)
        async with admin.get("/console/map/cases.json") as resp:
            assert other in [c[3] for c in (await resp.json())["cases"]]


async def test_hostile_polygons_and_parameters_are_refused_clearly(console: Api) -> None:
    b, csrf = await _signed(console, "desk")
    async with b:
        bow_tie = "22.5,114.2 22.6,114.3 22.5,114.3 22.6,114.2"
        for points in ("", "1,2", "a,b c,d e,f", "nan,1 2,3 4,5", "22.5,114.2 22.5,114.2 22.5,114.2",
                       "0,0 0,10 10,10 10,0", bow_tie, " ".join(["22.5,114.2"] * 6000), "x" * 150_000,
                       "91,0 92,1 93,0", "22.5;114.2 22.6;114.3 22.5;114.3"):
            async with b.post("/console/map/inside", data={"csrf": csrf, "points": points}) as resp:
                body = await resp.json()
                assert resp.status == 400 and body["error"] == "invalid", (points[:40], body)
                assert len(body["message"]) <= 300
        async with b.post("/console/map/inside", data={"csrf": csrf, "points": "x" * 3_000_000}) as resp:
            assert resp.status == 413  # the app's body limit, before any parsing
        async with b.post("/console/map/inside", data={"points": "22.5,114.2 22.6,114.3 22.5,114.3"}) as resp:
            assert resp.status == 403  # no CSRF token
        for path, params in (("cells.json", {"bbox": "1,2,3"}), ("cells.json", {"bbox": "10,0,5,1"}),
                             ("cells.json", {"zoom": "99"}), ("cells.json", {"bbox": "nan,0,1,1"}),
                             ("heat.json", {"group": "0%"}), ("heat.json", {"days": "-1"}),
                             ("heat.json", {"precision": "9"}), ("cases.json", {"bbox": "inf,0,1,1"})):
            async with b.get(f"/console/map/{path}", params=params) as resp:
                assert resp.status == 400, (path, params)
        async with b.get("/console/map/cells/44%25.json") as resp:
            assert resp.status == 404
        for params in ({"by": "reporter"}, {"from": "yesterday"}, {"order": "drop"}, {"area": "44%"}):
            async with b.get("/console/stats", params=params) as resp:
                assert resp.status == 400, params
        async with b.get("/console/stats/export", params={"format": "pdf"}) as resp:
            assert resp.status == 400
        async with b.get("/console/stats/report", params={"month": "2026-13"}) as resp:
            assert resp.status == 400


async def test_a_worker_cannot_open_the_map_or_the_statistics(console: Api) -> None:
    async with browser(console) as b:
        resp = await sign_in(b, console.staff["w1"].user_id)
        assert resp.status in (303, 401, 403)
        for path in ("/console/map", "/console/map/heat.json", "/console/stats", "/console/stats/export"):
            async with b.get(path, allow_redirects=False) as page:
                assert page.status == 303, path  # no console session for a worker: to a sign-in or their pages
                assert page.headers["Location"].startswith(("/console/login", "/worker/")), path
    async with browser(console) as stranger, stranger.get("/console/map/cases.json", allow_redirects=False) as page:
        assert page.status == 303 and page.headers["Location"].startswith("/console/login")


async def test_the_page_and_the_exports_agree_with_the_api(console: Api, uid: str) -> None:
    await open_case(console, f"stats-{uid}")
    day = {"from": "2026-11-18", "to": "2026-11-19"}
    api = await console.call("GET", "/admin/v1/stats/cases", "sup", params={"by": "worker", **day})
    b, _ = await _signed(console, "sup")
    async with b:
        async with b.get("/console/stats", params={"by": "worker", **day}) as resp:
            text = await resp.text()
        assert resp.status == 200 and 'id="trend-chart"' in text and "data-part=\"on_time\"" in text
        for row in api.body["rows"]:
            assert f'data-key="{row["key"] or ""}"' in text
        async with b.get("/console/stats/export", params={"format": "xlsx", "by": "worker", **day}) as resp:
            assert resp.status == 200
            sheet = openpyxl.load_workbook(io.BytesIO(await resp.read()), read_only=True).active
        assert sheet is not None
        table = list(sheet.iter_rows(values_only=True))
        assert table[0][0] == "worker" and "score" in table[0]
        by_key = {r[0] or None: r for r in table[1:]}
        for row in api.body["rows"]:
            cells = by_key[row["key"]]
            assert cells[table[0].index("received")] == str(row["received"])
            score = row["score"]["score"]
            assert (cells[table[0].index("score")] or "") == ("" if score is None else str(score))
        async with b.get("/console/stats/export", params={"format": "csv", "by": "street", **day}) as resp:
            assert (await resp.text()).lstrip("\ufeff").startswith("street,name,received")
        async with b.get("/console/cases/export", params={"format": "xlsx"}) as resp:
            assert resp.status == 200
            assert openpyxl.load_workbook(io.BytesIO(await resp.read()), read_only=True).active is not None
        async with b.get("/console/stats/report", params={"month": "2026-11"}) as resp:
            report = await resp.text()
        assert resp.status == 200 and "2026-11" in report and "@media print" not in report
    assert CSRF  # the console's form token pattern is shared with the desk tests


def test_the_tile_layer_setting_and_its_csp_source() -> None:
    from bot.console.mapviews import tile_source
    from bot.settings import load_settings

    gaode = "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
    settings = load_settings({"GRIDLINE_MAP_TILE_URL": gaode, "GRIDLINE_MAP_TILE_DATUM": "gcj02"})
    assert settings.map.tile_url == gaode and settings.map.tile_datum == "gcj02"
    assert tile_source(gaode) == "https://*.is.autonavi.com"
    assert tile_source("https://t0.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}") == "https://t0.tianditu.gov.cn"
    for bad in ({"GRIDLINE_MAP_TILE_URL": "javascript:alert(1)//{z}{x}{y}"},
                {"GRIDLINE_MAP_TILE_URL": "https://tiles.example/{x}/{y}"},
                {"GRIDLINE_MAP_TILE_DATUM": "bd09"}):
        try:
            load_settings(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")
    assert load_settings({}).map.tile_url == ""
