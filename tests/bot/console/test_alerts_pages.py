"""The console's alert pages over HTTP: admins only, CSRF, the preview equals the API's, domain errors in
words, hostile CAP uploads, a Test CAP that reaches no resident, follow / update / cancel, the replay."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp

from intake.i18n import gettext_for
from intake.store.models import Resident
from intake.store.models_alerts import Alert, AlertTarget
from tests.bot.conftest import OTHER_STREET, Api
from tests.bot.console.conftest import CSRF, browser, sign_in
from tests.conftest import shared_data

SIGNALS = re.compile(r'<script type="application/json" id="signals">(.*?)</script>', re.S)
TRACK = "typhoon/cma_bst_2023_saola_haikui_koinu.csv"


async def admin_page(b: aiohttp.ClientSession, console: Api, path: str = "/console/alerts") -> tuple[int, str, str]:
    await sign_in(b, console.staff["admin"].user_id)
    async with b.get(path) as resp:
        text = await resp.text()
    token = CSRF.search(text)
    return resp.status, text, token.group(1) if token else ""


def form(csrf: str, leaf: str, **kw: str) -> dict[str, str]:
    return {"csrf": csrf, "signal": "01", "colour": "blue", "message": "台风蓝色预警：请注意防范",
            "guidance": "关好门窗", "instructions": "逐户通知独居老人", "area": json.dumps({"grids": [leaf]}), **kw}


async def test_non_admins_are_refused(console: Api) -> None:
    async with browser(console) as b:
        await sign_in(b, console.staff["desk"].user_id)  # a dispatcher: the desk, not the alerts
        async with b.get("/console/alerts") as resp:
            assert resp.status == 403 and "只有管理员" in await resp.text()
        async with b.get("/console/") as resp:
            token = CSRF.search(await resp.text())
        assert token
        before = await Alert.all().count()
        for path in ("/console/alerts", "/console/alerts/preview", "/console/alerts/cap", "/console/alerts/replay"):
            async with b.post(path, data=form(token.group(1), console.leaves[0])) as resp:
                assert resp.status == 403, path
        assert await Alert.all().count() == before
    async with browser(console) as b:  # a worker cannot even sign in to the console
        await sign_in(b, console.staff["w1"].user_id)
        async with b.get("/console/alerts", allow_redirects=False) as resp:
            assert resp.status in (303, 401, 403)


async def test_missing_csrf_is_refused(console: Api) -> None:
    async with browser(console) as b:
        status, _, token = await admin_page(b, console)
        assert status == 200 and token
        before = await Alert.all().count()
        for data in (form("", console.leaves[0]), {k: v for k, v in form(token, console.leaves[0]).items()
                                                   if k != "csrf"}):
            async with b.post("/console/alerts", data=data) as resp:
                assert resp.status == 403
        assert await Alert.all().count() == before


async def test_only_possible_colours_are_offered(console: Api) -> None:
    async with browser(console) as b:
        _, text, _ = await admin_page(b, console)
    found = SIGNALS.search(text)
    assert found
    offered = {s["code"]: [c["colour"] for c in s["colours"]] for s in json.loads(found.group(1))}
    assert len(offered) == 14 and offered["01"] == ["blue", "yellow", "orange", "red"]
    assert "blue" not in offered["07"]  # 高温 starts at yellow


async def test_preview_equals_the_api_and_send_follow_ack_cancel(console: Api, uid: str) -> None:
    leaf = console.leaves[1]
    await Resident.create(channel="wechat", external_id=f"al-{uid}", home_grid=leaf)
    async with browser(console) as b:
        _, _, token = await admin_page(b, console)
        async with b.post("/console/alerts/preview", data=form(token, leaf)) as resp:
            seen = await resp.json()
        assert resp.status == 200 and seen["cells"] == 1 and seen["residents"] >= 1 and leaf in seen["shapes"]
        api = await console.call("POST", "/admin/v1/alerts/preview", json={
            "signal": "01", "colour": "blue", "message": "m", "area": {"grids": [leaf]}})
        assert api.status == 200
        assert {k: seen[k] for k in ("cells", "residents", "by_binding", "by_channel", "groups", "held_until")} == \
               {k: api.body[k] for k in ("cells", "residents", "by_binding", "by_channel", "groups", "held_until")}
        async with b.post("/console/alerts", data=form(token, leaf), allow_redirects=False) as resp:
            assert resp.status == 303
            where = resp.headers["Location"]
        alert_id = int(where.rsplit("/", 1)[1])
        async with b.get(where) as resp:
            page = await resp.text()
        now = {gettext_for(lang).gettext("Goes out now.") for lang in ("zh_CN", "en")}
        assert resp.status == 200 and 'class="flash ok"' in page and any(w in page for w in now)
        assert (await Alert.get(id=alert_id)).instructions == "逐户通知独居老人"
        assert await AlertTarget.filter(alert_id=alert_id).count() == seen["residents"]
        ack = await console.call("POST", f"/admin/v1/alerts/{alert_id}/acks", "w1",
                                 json={"grid": leaf, "text": "已通知到户 12 户"})
        assert ack.status == 201
        async with b.get(f"{where}/coverage.json") as resp:
            cover = await resp.json()
        assert cover["acknowledged"] == 1 and cover["households"] == 12
        assert cover["rows"] == [{**cover["rows"][0], "grid": leaf, "state": "acknowledged"}]
        upd = {"csrf": token, "colour": "yellow", "message": "升级为黄色"}
        async with b.post(f"{where}/preview", data=upd) as resp:
            assert resp.status == 200 and (await resp.json())["cells"] == 1
        async with b.post(f"{where}/update", data=upd, allow_redirects=False) as resp:
            assert resp.status == 303
        assert (await Alert.get(id=alert_id)).colour == "yellow"
        async with b.post(f"{where}/cancel", data={"csrf": token}, allow_redirects=False) as resp:
            assert resp.status == 303
        assert (await Alert.get(id=alert_id)).status == "cancelled"


async def test_domain_errors_in_words(console: Api) -> None:
    async with browser(console) as b:
        _, _, token = await admin_page(b, console)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"area": json.dumps({"polygon": [[114.5, 22.5], [114.6, 22.5]]})}, "at least 3 distinct vertices"),
            ({"area": json.dumps({"grids": ["999999999"]})}, "unknown grid codes"),
            ({"area": "{not json"}, "area"),
            ({"area": "[" * 50_000}, "area"),
            ({"area": json.dumps({"polygon": [["a", "b"], [1, 2], [3, 4]]})}, "area.polygon"),
            ({"area": json.dumps({"circle": {"lng": 114.5, "lat": 22.5, "radius_km": 5000}})}, "radius_km"),
            ({"area": json.dumps({})}, "the area needs"),
            ({"colour": "blue", "signal": "07"}, "no blue level"),
            ({"signal": "99"}, "unknown signal"),
        ]
        for change, words in cases:
            async with b.post("/console/alerts/preview", data={**form(token, console.leaves[0]), **change}) as resp:
                body = await resp.json()
            assert resp.status == 400 and words in body["error"], (change, body)
        before = await Alert.all().count()
        bad = {**form(token, console.leaves[0]), "area": json.dumps({"circle": {"lng": 114.5, "lat": 95,
                                                                                 "radius_km": 1}})}
        async with b.post("/console/alerts", data=bad) as resp:
            text = await resp.text()
        assert resp.status == 400 and 'id="error"' in text and "台风蓝色预警：请注意防范" in text
        assert await Alert.all().count() == before


def cap(uid: str, status: str, geocode: str) -> bytes:
    return f"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>con-{uid}-{status}</identifier>
<sender>test@example.org</sender><sent>2026-11-18T09:00:00+08:00</sent><status>{status}</status>
<msgType>Alert</msgType><scope>Public</scope><info><category>Met</category><event>台风</event>
<urgency>Immediate</urgency><severity>Minor</severity><certainty>Likely</certainty>
<headline>台风蓝色预警</headline><description>演练</description><area><areaDesc>葵涌</areaDesc>
<geocode><valueName>GB/T 2260</valueName><value>{geocode}</value></geocode></area></info></alert>""".encode()


async def upload(b: aiohttp.ClientSession, token: str, data: bytes, step: str = "preview") -> tuple[int, str]:
    body = aiohttp.FormData()
    body.add_field("csrf", token)
    body.add_field("step", step)
    body.add_field("file", data, filename="alert.xml", content_type="application/xml")
    async with b.post("/console/alerts/cap", data=body) as resp:
        return resp.status, await resp.text()


async def test_hostile_cap_uploads_are_refused_in_words(console: Api) -> None:
    async with browser(console) as b:
        _, _, token = await admin_page(b, console)
        before = await Alert.all().count()
        for data in (b"<!DOCTYPE a [<!ENTITY x 'y'>]><alert/>", b"<alert><identifier>x", b"   ",
                     b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://example.com/x.dtd"><alert/>',
                     b"\xff\xfe\x00<", b"<alert>" + b"&lt;" * 1000 + b"</alert>"):
            status, text = await upload(b, token, data)
            assert status == 400 and 'id="error"' in text, data[:40]
        status, _ = await upload(b, token, b"<alert>" + b" " * (300 * 1024) + b"</alert>")
        assert status == 413  # over the app's body limit, refused before it is read
        assert await Alert.all().count() == before


async def test_a_test_cap_upload_reaches_no_resident(console: Api, uid: str) -> None:
    street = OTHER_STREET
    await Resident.create(channel="wechat", external_id=f"capt-{uid}", home_grid=console.other_leaf)
    async with browser(console) as b:
        _, _, token = await admin_page(b, console)
        status, text = await upload(b, token, cap(uid, "Test", street + "000"))
        assert status == 200 and 'id="cap-preview"' in text
        body = aiohttp.FormData()
        for k, v in (("csrf", token), ("step", "send"), ("xml", cap(uid, "Test", street + "000").decode())):
            body.add_field(k, v)
        async with b.post("/console/alerts/cap", data=body, allow_redirects=False) as resp:
            assert resp.status == 303
    alert = await Alert.get(identifier=f"con-{uid}-Test")
    assert alert.status == "test" and alert.residents_count == 0 and alert.cells_count > 100
    assert await AlertTarget.filter(alert_id=alert.id).count() == 0


async def test_replay_timeline_and_bad_tracks(console: Api) -> None:
    async with browser(console) as b:
        status, _, token = await admin_page(b, console, "/console/alerts/replay")
        assert status == 200
        body = aiohttp.FormData()
        for k, v in (("csrf", token), ("radius_km", "150"), ("district", ""), ("storm", "")):
            body.add_field(k, v)
        body.add_field("track", b"time_utc,lat\n1,2\n", filename="t.csv", content_type="text/csv")
        async with b.post("/console/alerts/replay", data=body) as resp:
            assert resp.status == 400 and "lacks the columns" in await resp.text()
        track = shared_data(TRACK).read_bytes()
        body = aiohttp.FormData()
        for k, v in (("csrf", token), ("radius_km", "150"), ("district", ""), ("storm", "SAOLA")):
            body.add_field(k, v)
        body.add_field("track", track, filename="t.csv", content_type="text/csv")
        async with b.post("/console/alerts/replay", data=body) as resp:
            text = await resp.text()
        assert resp.status == 200 and 'data-storm="SAOLA"' in text and 'data-type="Alert"' in text
